/**
 * Setup links: what the customer's IT admin may do through a link, without an Orgward account.
 *
 * Rules: issue 11 "Self-serve setup links" (an Administrator creates a link for SSO, SCIM or
 * domain verification, valid for a chosen time, 7 days by default, revocable, for one
 * organization; every step is audited; nothing in a setup link can enforce SSO or change roles),
 * O3 (only the Owner and Administrators create and revoke links, as they manage what the links
 * set up), S1 (a connection made through a link is tested like any other; enforcement stays with
 * administrators), C1 (the SCIM token a link creates is shown once), D3 (a domain is verified by
 * its TXT record), L1.
 */
import type { Allow, Rejection } from './decision.js';
import { allow, reject } from './decision.js';

/** What a link sets up. */
export const SETUP_LINK_KINDS = ['sso', 'scim', 'domain'] as const;
export type SetupLinkKind = (typeof SETUP_LINK_KINDS)[number];

/** How long a link works unless the Administrator chooses otherwise, and the longest they may choose. */
export const DEFAULT_SETUP_LINK_DAYS = 7;
export const MAX_SETUP_LINK_DAYS = 30;

/** The identity providers the pages have instructions for, per kind ('other': any SCIM 2.0 client). */
export const SETUP_IDPS = {
  sso: ['okta', 'entra', 'google', 'saml', 'oidc'],
  scim: ['okta', 'entra', 'google', 'other'],
  domain: [],
} as const satisfies Record<SetupLinkKind, readonly string[]>;
export type SetupIdp = 'okta' | 'entra' | 'google' | 'saml' | 'oidc' | 'other';

/** The protocol of an SSO connection made for `idp`: OIDC for the generic OIDC choice, SAML otherwise. */
export const protocolFor = (idp: SetupIdp): 'saml' | 'oidc' => (idp === 'oidc' ? 'oidc' : 'saml');

/**
 * The closed list of things a service lets a setup link do, each named where the service asks
 * (services/context.ts authorizeStep). Anything else a link is refused: there is no step that
 * enforces SSO, changes a domain's policy, removes or disables anything, maps groups or changes
 * anyone's role.
 */
export const SETUP_STEPS = {
  sso: ['sso.read', 'sso.add_connection', 'sso.change_connection', 'sso.test'],
  scim: ['scim.read', 'scim.create_token', 'scim.revoke_own_token'],
  domain: ['domain.read', 'domain.add', 'domain.verify'],
} as const satisfies Record<SetupLinkKind, readonly string[]>;
export type SetupStep = (typeof SETUP_STEPS)[SetupLinkKind][number];

const KIND_LABELS: Record<SetupLinkKind, string> = { sso: 'single sign-on', scim: 'SCIM provisioning', domain: 'domain verification' };

/** Result of {@link decideSetupLinkValidity}. */
export type SetupLinkValidityDecision = { readonly kind: 'allow'; readonly expiresAt: Date } | Rejection<'invalid_input'>;

/**
 * A new link's kind and validity: `days` whole days from 1 to {@link MAX_SETUP_LINK_DAYS}
 * ({@link DEFAULT_SETUP_LINK_DAYS} when not given), counted from `now`.
 */
export function decideSetupLinkValidity(kind: unknown, days: unknown, now: Date): SetupLinkValidityDecision {
  if (!(SETUP_LINK_KINDS as readonly unknown[]).includes(kind)) {
    return reject('invalid_input', 'A setup link is for sso, scim or domain: choose one.');
  }
  const n = days === undefined || days === null || days === '' ? DEFAULT_SETUP_LINK_DAYS : Number(days);
  if (!Number.isInteger(n) || n < 1 || n > MAX_SETUP_LINK_DAYS) {
    return reject('invalid_input', `A setup link is valid for a whole number of days from 1 to ${MAX_SETUP_LINK_DAYS} (default ${DEFAULT_SETUP_LINK_DAYS}).`);
  }
  return { kind: 'allow', expiresAt: new Date(now.getTime() + n * 24 * 60 * 60 * 1000) };
}

/** The state of a link: it works, it ran out, or an administrator revoked it. */
export type SetupLinkState = 'live' | 'expired' | 'revoked';

/** The state of `link` at `now`; revoked wins over expired (it is what an administrator did). */
export function decideSetupLinkState(link: { readonly expiresAt: Date; readonly revokedAt: Date | null }, now: Date): SetupLinkState {
  if (link.revokedAt !== null) return 'revoked';
  return link.expiresAt.getTime() <= now.getTime() ? 'expired' : 'live';
}

/** What the holder of a link that no longer works is told (the page never shows a form then). */
export function deadSetupLinkMessage(state: Exclude<SetupLinkState, 'live'> | 'unknown'): string {
  switch (state) {
    case 'expired': return 'This setup link has expired. Ask the administrator who sent it to create a new one.';
    case 'revoked': return 'This setup link was revoked by an administrator of the organization. Ask them for a new one if you still need it.';
    default: return 'This setup link does not exist. Check that you copied the whole link, or ask the administrator who sent it for a new one.';
  }
}

/**
 * May a link of `kind` take `step`? Only the steps of its own kind (an SSO link never creates a
 * SCIM token, a domain link never adds a connection).
 */
export function decideSetupStep(kind: SetupLinkKind, step: SetupStep): Allow | Rejection<'forbidden'> {
  if ((SETUP_STEPS[kind] as readonly string[]).includes(step)) return allow();
  return reject('forbidden', `This setup link is for ${KIND_LABELS[kind]} only; it cannot do this. Ask an administrator of the organization.`);
}

/** The refusal of anything that is not a setup step (enforcing SSO, policies, roles, removals, …). */
export function setupLinkRefusal(): Rejection<'forbidden'> {
  return reject('forbidden', 'A setup link cannot do this: it only adds and tests an SSO connection, creates a SCIM token, or registers and verifies domains. '
    + 'Enforcing SSO, domain policies, group mappings and roles stay with the administrators of the organization.');
}

/** Result of {@link decideIdpChoice}. */
export type IdpChoiceDecision = { readonly kind: 'allow'; readonly idp: SetupIdp } | Rejection<'invalid_input' | 'conflict'>;

/**
 * The IT admin's choice of identity provider: one of the link's kind; on an SSO link whose
 * connection exists already, only one of the same protocol (the connection keeps its protocol).
 */
export function decideIdpChoice(kind: SetupLinkKind, idp: unknown, existingProtocol: 'saml' | 'oidc' | null): IdpChoiceDecision {
  const choices = SETUP_IDPS[kind] as readonly string[];
  if (typeof idp !== 'string' || !choices.includes(idp)) {
    return reject('invalid_input', choices.length === 0 ? 'This setup link has no identity provider to choose.' : `Choose one of: ${choices.join(', ')}.`);
  }
  const chosen = idp as SetupIdp;
  if (kind === 'sso' && existingProtocol !== null && protocolFor(chosen) !== existingProtocol) {
    return reject('conflict', `The connection made through this link is ${existingProtocol.toUpperCase()}; choose an identity provider that uses ${existingProtocol.toUpperCase()}, or ask the administrator for a new link.`);
  }
  return { kind: 'allow', idp: chosen };
}

/** What submitting the IdP's details does on an SSO link: add the connection, change it, or nothing more. */
export type SetupConnectionDecision = { readonly kind: 'add' } | { readonly kind: 'change' } | Rejection<'conflict'>;

/**
 * S1: the link adds its connection once; until a test sign-in has succeeded the IT admin may
 * correct its details. A tested connection is left alone: a change would clear its test and could
 * stop sign-ins an administrator has come to rely on (enforcement).
 */
export function decideSetupConnection(existing: { readonly protocol: 'saml' | 'oidc'; readonly testedAt: Date | null } | null, protocol: 'saml' | 'oidc'): SetupConnectionDecision {
  if (existing === null) return { kind: 'add' };
  if (existing.protocol !== protocol) return reject('conflict', `The connection made through this link is ${existing.protocol.toUpperCase()}; give its ${existing.protocol.toUpperCase()} details.`);
  if (existing.testedAt !== null) {
    return reject('conflict', 'The connection passed its test sign-in: it is set up. To change it now, ask an administrator of the organization.');
  }
  return { kind: 'change' };
}

/** What a link has done so far, from its recorded steps (oldest first). */
export interface SetupLinkWork {
  /** SCIM tokens the link created, oldest first. */
  readonly tokenIds: readonly string[];
  /** Domains the link registered (or took up), in order. */
  readonly domains: readonly string[];
}

/** Reads the link's steps: the tokens it created and the domains it registered. */
export function planSetupLinkWork(steps: readonly { readonly action: string; readonly target: string | null }[]): SetupLinkWork {
  const tokenIds: string[] = [];
  const domains: string[] = [];
  for (const s of steps) {
    if (s.target === null) continue;
    if (s.action === 'scim.token_created') tokenIds.push(s.target);
    if ((s.action === 'domain.added' || s.action === 'setup_link.domain_included') && !domains.includes(s.target)) domains.push(s.target);
  }
  return { tokenIds, domains };
}
