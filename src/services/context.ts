/**
 * What every service does around a rule: turn a rejection into the one DomainError, find out
 * whether an actor may act in an organization (O3, U6), and write the audit entry (L1).
 */
import { DomainError } from '../errors.js';
import type { Rejection } from '../rules/decision.js';
import { redactSecrets } from '../rules/audit.js';
import { decideApiClientAction } from '../rules/api-clients.js';
import { decideAction, type Action, type ActionTarget } from '../rules/roles.js';
import { decideSetupLinkState, decideSetupStep, setupLinkRefusal, type SetupStep } from '../rules/setup-links.js';
import type { MemberSnapshot } from '../rules/types.js';
import type { Repos } from '../store/index.js';
import type { SetupLinkRecord } from '../store/setup-links.js';
import { actorLabel, type Actor, type Member, type Organization } from '../types.js';

/** Throws the DomainError a rule's rejection stands for. */
export function fail(rejection: Rejection, details?: Record<string, unknown>): never {
  throw new DomainError(rejection.code, rejection.message, details ? { details } : {});
}

/** The rules' view of a member. */
export const snapshotOf = (m: Member): MemberSnapshot => ({
  userSid: m.sid, orgSid: m.orgSid, role: m.role, email: m.email, status: m.status,
});

export interface Authorized {
  readonly org: Organization;
  /** The acting member; undefined for operators and the system. */
  readonly member: Member | undefined;
  /** For a setup link: the link as read (under its lock when asked), so a service checks what is the link's own. */
  readonly setupLink?: SetupLinkRecord;
}

/**
 * Loads the organization (404 when it does not exist or was merged away) and checks that the
 * actor may perform `action` there. Operators and the system may do anything; a SCIM token acts
 * only in its own organization (C1).
 */
export async function authorize(repos: Repos, actor: Actor, orgSid: string, action: Action, target: ActionTarget = {}, lock = false): Promise<Authorized> {
  return authorizeAs(repos, actor, orgSid, action, target, lock, 'write');
}

/**
 * {@link authorize} for a service that only reads under `action` (listing SSO connections is
 * 'manage_sso'): the same rules, except that a read-only API client may read (issue 10).
 */
export async function authorizeRead(repos: Repos, actor: Actor, orgSid: string, action: Action, target: ActionTarget = {}): Promise<Authorized> {
  return authorizeAs(repos, actor, orgSid, action, target, false, 'read');
}

async function authorizeAs(repos: Repos, actor: Actor, orgSid: string, action: Action, target: ActionTarget, lock: boolean, mode: 'read' | 'write'): Promise<Authorized> {
  const org = lock ? await repos.organizations.lock(orgSid) : await repos.organizations.get(orgSid);
  if (!org) throw organizationNotFound(orgSid);
  if (decidedByToken(actor, orgSid, action, mode)) return { org, member: undefined };
  if (actor.kind === 'scim') {
    // C1: a SCIM token acts only in its own organization.
    if (actor.orgSid !== orgSid) throw organizationNotFound(orgSid);
    return { org, member: undefined };
  }
  // decidedByToken refused setup links already; this also tells the compiler so.
  if (actor.kind !== 'user') return fail(setupLinkRefusal());
  const member = await repos.users.get(actor.userSid);
  if (!member) throw new DomainError('unauthenticated', 'Sign in again.');
  // Outsiders learn nothing about another organization: it is simply not found (U6).
  if (member.orgSid !== orgSid) throw organizationNotFound(orgSid);
  const decision = decideAction(snapshotOf(member), action, { orgSid, ...target });
  if (decision.kind === 'reject') fail(decision);
  return { org, member };
}

/**
 * The decision for actors whose rights come from their credential, not from a row: operators and
 * the system may do anything; an API client acts in its own organization (U6: another's is 404,
 * not 403) with its role (issue 10). Throws when refused; false for the actors that need their
 * membership read (people) or are checked apart (SCIM tokens).
 */
function decidedByToken(actor: Actor, orgSid: string, action: Action, mode: 'read' | 'write'): actor is Extract<Actor, { kind: 'operator' | 'system' | 'api_client' }> {
  switch (actor.kind) {
    case 'operator':
    case 'system':
      return true;
    case 'api_client': {
      if (actor.orgSid !== orgSid) throw organizationNotFound(orgSid);
      const decision = decideApiClientAction(actor.role, action, mode);
      if (decision.kind === 'reject') fail(decision);
      return true;
    }
    case 'setup_link':
      // Denied by default: a setup link passes only where a service names the step (authorizeStep).
      if (actor.orgSid !== orgSid) throw organizationNotFound(orgSid);
      return fail(setupLinkRefusal());
    default:
      return false;
  }
}

/**
 * `authorize` for a read that itself reports whether the organization exists: decides without a
 * query for the actors whose rights do not depend on a row (operators, the system, API clients:
 * their organization and role are the token's, checked per request by the bearer check) and
 * answers true; the caller must then refuse with `organizationNotFound` when the organization is
 * missing or merged away, as `authorize` would have. Answers false when the actor needs
 * `authorize` (people, SCIM tokens). Same outcomes, same errors, one query fewer.
 */
export function authorizedWithoutReading(actor: Actor, orgSid: string, action: Action): boolean {
  return decidedByToken(actor, orgSid, action, 'write');
}

/**
 * {@link authorize} (or, with `mode: 'read'`, {@link authorizeRead}) for a service function that a
 * setup link may also call (issue 11), naming the `step` it is. A setup link passes only in its own
 * organization (another is not found, U6), only for the steps of its kind (rules/setup-links.ts),
 * and only while it is live: checked again here, in the caller's transaction and, with `lockLink`,
 * under a share lock of the link's row, so a revocation comes either before the step (which is then
 * refused) or after it. Every other actor is authorised exactly as by authorize (or authorizeRead).
 */
export async function authorizeStep(
  repos: Repos, actor: Actor, orgSid: string, action: Action, step: SetupStep,
  options: { readonly now: Date; readonly mode?: 'read' | 'write'; readonly lockLink?: boolean },
): Promise<Authorized> {
  if (actor.kind !== 'setup_link') return authorizeAs(repos, actor, orgSid, action, {}, false, options.mode ?? 'write');
  const link = options.lockLink ? await repos.setupLinks.lockShared(actor.linkSid) : await repos.setupLinks.get(actor.linkSid);
  if (!link || link.orgSid !== orgSid || actor.orgSid !== orgSid) throw organizationNotFound(orgSid);
  const state = decideSetupLinkState(link, options.now);
  if (state !== 'live') throw new DomainError('setup_link_invalid', state === 'expired' ? 'This setup link has expired.' : 'This setup link was revoked.');
  const decision = decideSetupStep(link.kind, step);
  if (decision.kind === 'reject') fail(decision);
  const org = await repos.organizations.get(orgSid);
  if (!org) throw organizationNotFound(orgSid);
  return { org, member: undefined, setupLink: link };
}

/**
 * What a setup link may touch of an SSO connection: only the one it made (its reserved id). Other
 * actors are not limited here. Not found, as for another organization's connection (U6).
 */
export function checkSetupLinkConnection(auth: Authorized, connectionId: string): void {
  if (auth.setupLink && auth.setupLink.connectionId !== connectionId.toLowerCase()) {
    throw new DomainError('not_found', 'No such single sign-on connection.');
  }
}

/** The error of an organization that does not exist or was merged away (as `authorize` says it). */
export const organizationNotFound = (orgSid: string): DomainError => new DomainError('not_found', `No organization ${orgSid}.`);

/** L1: who, what, when (database clock), before and after, in the caller's transaction. */
export async function audit(
  repos: Repos,
  actor: Actor,
  entry: { orgSid: string; action: string; target?: string | null; before?: unknown; after?: unknown },
): Promise<void> {
  // What a setup link did is recorded with the link too, in this transaction (its pages read it).
  if (actor.kind === 'setup_link') await repos.setupLinks.recordStep({ linkSid: actor.linkSid, orgSid: entry.orgSid, action: entry.action, target: entry.target ?? null });
  await repos.audit.append({
    orgSid: entry.orgSid,
    actor: actorLabel(actor),
    action: entry.action,
    target: entry.target ?? null,
    // L1: secrets are never logged, even when a caller passes a whole row.
    before: entry.before === undefined ? null : redactSecrets(entry.before),
    after: entry.after === undefined ? null : redactSecrets(entry.after),
    requestId: actor.requestId ?? null,
  });
}
