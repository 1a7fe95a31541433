/**
 * What a SCIM client's User means for a member (C4, U1, L1), decided before anything is written:
 * the person's identity email, the attributes kept, the Owner's identity that SCIM may not change,
 * and the plan of a PUT or PATCH (users row, SCIM row, status, audit entry). Used by the SCIM
 * Users service on both of its write paths (the locked transaction and the one statement).
 */
import { DomainError } from '../errors.js';
import { normaliseEmail } from '../rules/domains.js';
import { decideScimIdentityChange, type ScimIdentity } from '../rules/scim-users.js';
import type { UserStatus } from '../rules/types.js';
import type { ScimUserData, ScimUserRecord } from '../store/scim-users.js';
import type { UserPatch } from '../store/users.js';
import { fail } from './context.js';

export interface ScimEmail {
  readonly value: string;
  readonly type?: string;
  readonly primary?: boolean;
}

/** A user as a SCIM client sends it (after protocol parsing), for create and full replace. */
export interface ScimUserInput {
  readonly userName: string;
  readonly externalId: string | null;
  readonly active: boolean;
  readonly displayName: string | null;
  readonly givenName: string | null;
  readonly familyName: string | null;
  readonly emails: readonly ScimEmail[];
  /** Every other attribute (name parts, phones, addresses, enterprise extension...), canonical names, as sent. */
  readonly attributes: Readonly<Record<string, unknown>>;
}

/** U1: the address that identifies the person: userName when it is an email, else the primary, else the work email. */
export function identityEmail(input: Pick<ScimUserInput, 'userName' | 'emails'>): string {
  if (normaliseEmail(input.userName).ok) return input.userName;
  const chosen = input.emails.find((e) => e.primary === true) ?? input.emails.find((e) => e.type?.toLowerCase() === 'work') ?? input.emails[0];
  if (!chosen) {
    throw new DomainError('invalid_input', `userName "${input.userName.slice(0, 100)}" is not an email address and no email was given; `
      + 'Orgward identifies people by email address. Send the email as userName or in emails.');
  }
  return chosen.value;
}

export const storedAttributes = (input: ScimUserInput): Record<string, unknown> =>
  (input.emails.length > 0 ? { ...input.attributes, emails: input.emails } : { ...input.attributes });

export const profileOf = (input: ScimUserInput) => ({ displayName: input.displayName, givenName: input.givenName, familyName: input.familyName });

/** The identity attributes (C4) of a member as their User resource shows them (userName = email, one work email, when never provisioned). */
function shownIdentity(r: ScimUserRecord): ScimIdentity {
  const stored = Array.isArray(r.attributes.emails)
    ? (r.attributes.emails as unknown[]).filter((e): e is ScimEmail => typeof e === 'object' && e !== null && typeof (e as ScimEmail).value === 'string')
    : [];
  const emails = stored.length > 0 ? stored : [{ value: r.email, type: 'work', primary: true }];
  return { userName: r.userName, emails, active: r.status === 'active' };
}

/** The same after `input` is applied: the emails as sent, else the identity email as the work email. */
function wantedIdentity(input: ScimUserInput, email: string): ScimIdentity {
  return { userName: input.userName, emails: input.emails.length > 0 ? input.emails : [{ value: email, type: 'work', primary: true }], active: input.active };
}

/**
 * C4: the Owner's userName, emails and active are not changed through SCIM (403). Decided on the
 * record the write is based on: read under the member's row lock, which a hand-over of the Owner
 * role also takes, or read just before a statement that writes only if the role is still the
 * one read (store/scim-user-update.ts).
 */
export function refuseOwnerIdentityChange(current: ScimUserRecord, input: ScimUserInput, email: string): void {
  const decision = decideScimIdentityChange(current, shownIdentity(current), wantedIdentity(input, email));
  if (decision.kind === 'reject') fail(decision);
}

/** U1: the identity email `input` names, normalised, and its domain. */
export function wantedEmail(input: ScimUserInput): { readonly email: string; readonly domain: string } {
  const wanted = normaliseEmail(identityEmail(input));
  if (!wanted.ok) throw new DomainError('invalid_input', wanted.message);
  return wanted;
}

/** What a PUT or PATCH changes on a member, decided on `current` before anything is written. */
export interface UpdatePlan {
  /** The users row's changes: the email (the caller checks D6, D7) and the profile. */
  readonly patch: UserPatch;
  readonly profile: ReturnType<typeof profileOf>;
  /** The SCIM row after the change; null when it stays. */
  readonly scim: ScimUserData | null;
  /** C3: the status `active` asks for. */
  readonly status: UserStatus;
  /** L1: the `scim.user_updated` entry; null when neither the profile nor the SCIM row changes. */
  readonly updated: { readonly before: unknown; readonly after: unknown } | null;
}

/** C4 (the Owner's identity stays), then what `input` changes on `current`; `email` is wantedEmail(input). */
export function planUpdate(current: ScimUserRecord, input: ScimUserInput, email: string): UpdatePlan {
  refuseOwnerIdentityChange(current, input, email);
  const patch: UserPatch = {};
  if (email !== current.email.toLowerCase()) patch.email = email;
  const profile = profileOf(input);
  if (profile.displayName !== current.displayName) patch.displayName = profile.displayName;
  if (profile.givenName !== current.givenName) patch.givenName = profile.givenName;
  if (profile.familyName !== current.familyName) patch.familyName = profile.familyName;
  const attributes = storedAttributes(input);
  const scimChanged = !current.provisioned || current.userName !== input.userName || current.externalId !== input.externalId
    || canonicalJson(current.attributes) !== canonicalJson(attributes);
  return {
    patch, profile,
    scim: scimChanged ? { userName: input.userName, externalId: input.externalId, attributes } : null,
    status: input.active ? 'active' : 'suspended',
    updated: Object.keys(patch).length > 0 || scimChanged ? {
      before: {
        email: current.email, userName: current.userName, externalId: current.externalId,
        displayName: current.displayName, givenName: current.givenName, familyName: current.familyName,
      },
      after: { email: patch.email ?? current.email, userName: input.userName, externalId: input.externalId, ...profile },
    } : null,
  };
}

/** JSON with object keys sorted: the same attributes compare equal whatever order a client sent them in. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : v));
}
