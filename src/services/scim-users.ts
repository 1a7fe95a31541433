/**
 * SCIM Users (C2, C3, C4): the members of the token's organization as an IdP provisions them.
 * Creation goes through the one enrollment path (D6, D7, U1); `active` suspends and restores
 * (C3); DELETE removes the member (C4). The person's email, their identity (U1), is userName when
 * that is an email address, else the primary (else the work) email.
 */
import { DomainError } from '../errors.js';
import { isSidOf, newSid } from '../ids.js';
import { normaliseEmail } from '../rules/domains.js';
import { decideApiClientAction } from '../rules/api-clients.js';
import { decideEnrollment } from '../rules/enrollment.js';
import { redactSecrets } from '../rules/audit.js';
import { decideScimUserChange } from '../rules/scim-users.js';
import type { Repos } from '../store/index.js';
import type { ScimListQuery, ScimPage, ScimUserRecord, ScimUserUpdate } from '../store/scim-users.js';
import { actorLabel, type Actor } from '../types.js';
import { audit, fail } from './context.js';
import { domainSnapshot, enroll } from './enrollment.js';
import type { ServiceDeps } from './index.js';
import { removeMember, setMemberStatus } from './member-changes.js';
import { identityEmail, planUpdate, profileOf, refuseOwnerIdentityChange, storedAttributes, wantedEmail, type ScimUserInput } from './scim-user-plan.js';

export type { ScimListQuery, ScimPage, ScimUserRecord } from '../store/scim-users.js';
export type { ScimEmail, ScimUserInput } from './scim-user-plan.js';
export type { ScimAttrPath, ScimComparator, ScimFilter, ScimFilterValue } from '../store/scim-filter-sql.js';

/** RFC 7232 If-Match: the versions the client accepts, '*' for any, undefined when absent. */
export type IfMatch = readonly string[] | '*' | undefined;

/** Refuses a change when the client's If-Match names another version (412 in SCIM). */
export function checkVersion(ifMatch: IfMatch, version: string): void {
  if (ifMatch === undefined || ifMatch === '*' || ifMatch.includes(version)) return;
  throw new DomainError('scim_version_mismatch', 'The resource changed since the version given in If-Match.');
}

/**
 * C1: the organization a SCIM actor acts in: a SCIM token's, or an API client's through the
 * Organizations API's SCIM endpoint (O3, U6: a read-only client only reads). Anyone else is refused.
 */
export function scimOrg(actor: Actor, access: 'read' | 'write' = 'write'): string {
  if (actor.kind === 'scim') return actor.orgSid;
  if (actor.kind === 'api_client') {
    const decision = decideApiClientAction(actor.role, access === 'read' ? 'view_organization' : 'manage_scim');
    if (decision.kind === 'reject') fail(decision);
    return actor.orgSid;
  }
  throw new DomainError('forbidden', 'Only a SCIM token or an API client can do this.');
}

const notFound = () => new DomainError('not_found', 'No such user in this organization.');

export function createScimUsersService(deps: ServiceDeps) {
  const { store, clock } = deps;

  /** Applies `input` to an existing member (PUT, PATCH) in the caller's transaction, under the member's row lock. */
  async function applyUpdate(repos: Repos, actor: Actor, orgSid: string, current: ScimUserRecord, input: ScimUserInput): Promise<ScimUserRecord> {
    const wanted = wantedEmail(input);
    const plan = planUpdate(current, input, wanted.email);
    if (plan.patch.email !== undefined) {
      // D6, D7 as for a new person: the new address must be on a domain the organization verified.
      const verified = await repos.domains.findVerified(wanted.domain);
      const decision = decideEnrollment({
        path: 'scim', email: wanted.email, member: null, verifiedDomain: verified ? domainSnapshot(verified) : null, targetOrgSid: orgSid, role: 'standard',
      });
      if (decision.kind === 'reject') fail(decision);
    }
    if (Object.keys(plan.patch).length > 0) await repos.users.update(current.userSid, plan.patch);
    if (plan.scim) await repos.scimUsers.save(orgSid, current.userSid, plan.scim);
    // C3: suspension ends sessions at once; the Owner cannot be suspended through SCIM.
    if (plan.status !== current.status) await setMemberStatus(repos, actor, orgSid, current.userSid, plan.status, clock.now());
    if (plan.updated) await audit(repos, actor, { orgSid, action: 'scim.user_updated', target: current.userSid, ...plan.updated });
    return (await repos.scimUsers.get(orgSid, current.userSid))!;
  }

  /**
   * PUT or PATCH by a SCIM token of a provisioned member whose email stays (what IdPs send in
   * bulk: deactivations, reactivations, profile pushes), decided on the member as read by the rules
   * `applyUpdate` asks, and written in one statement that repeats their premise under the row
   * locks it takes (store/scim-user-update.ts). Undefined when it cannot be done so (a new email
   * needs the domain rules, a member never provisioned has no SCIM row to lock, or the member
   * changed since the read): the caller then decides again in a transaction. An API client
   * (the Organizations API's SCIM) always goes through the transaction: it acts as an
   * Administrator, under the member rules (U6, O2) rather than the SCIM token's (C1, C4).
   */
  async function updateAtOnce(actor: Extract<Actor, { kind: 'scim' }>, current: ScimUserRecord, input: ScimUserInput): Promise<ScimUserRecord | undefined> {
    const plan = planUpdate(current, input, wantedEmail(input).email);
    if (!current.provisioned || plan.patch.email !== undefined) return undefined;
    const audits: ScimUserUpdate['audit'][number][] = [];
    let endSessions: ScimUserUpdate['endSessions'] = null;
    if (plan.status !== current.status) {
      // C3, C4: the rule setMemberStatus asks for a SCIM token (the Owner is refused).
      const target = { userSid: current.userSid, orgSid: current.orgSid, role: current.role, email: current.email, status: current.status };
      const change = decideScimUserChange(actor.orgSid, target, plan.status === 'suspended' ? 'suspend' : 'restore');
      if (change.kind === 'reject') fail(change);
      audits.push({ action: plan.status === 'suspended' ? 'user.suspended' : 'user.restored', before: { status: current.status }, after: { status: plan.status } });
      if (plan.status === 'suspended') endSessions = { reason: 'suspended', at: clock.now() };
    }
    if (plan.updated) audits.push({ action: 'scim.user_updated', ...plan.updated });
    // Nothing changes (an IdP pushing the same profile again): nothing to write.
    if (audits.length === 0) return current;
    const userChanged = plan.status !== current.status || Object.keys(plan.patch).length > 0;
    return store.read.scimUsers.updateMember({
      orgSid: actor.orgSid, userSid: current.userSid, seenVersion: current.version, seenRole: current.role,
      user: userChanged ? { status: plan.status, ...plan.profile } : null, scim: plan.scim, endSessions,
      // L1: as `audit` writes them (secrets never logged).
      audit: audits.map((a) => ({ action: a.action, before: redactSecrets(a.before), after: redactSecrets(a.after) })),
      actor: actorLabel(actor), requestId: actor.requestId ?? null,
    });
  }

  /** The member as read for a SCIM token's change, checking If-Match (C1: of its organization only). */
  async function readForUpdate(orgSid: string, userSid: string, ifMatch: IfMatch): Promise<ScimUserRecord> {
    const current = isSidOf('US', userSid) ? await store.read.scimUsers.get(orgSid, userSid) : undefined;
    if (!current) throw notFound();
    checkVersion(ifMatch, current.version);
    return current;
  }

  /** Locks the member and returns their record, checking If-Match. */
  async function lockRecord(repos: Repos, orgSid: string, userSid: string, ifMatch: IfMatch): Promise<ScimUserRecord> {
    if (!isSidOf('US', userSid)) throw notFound();
    const locked = await repos.users.lock(userSid);
    const current = locked && locked.orgSid === orgSid ? await repos.scimUsers.get(orgSid, userSid) : undefined;
    if (!current) throw notFound();
    checkVersion(ifMatch, current.version);
    return current;
  }

  return {
    /** Members matching the query: a page and the exact total. */
    async list(actor: Actor, query: ScimListQuery): Promise<ScimPage<ScimUserRecord>> {
      return store.read.scimUsers.list(scimOrg(actor, 'read'), query);
    },

    async get(actor: Actor, userSid: string): Promise<ScimUserRecord> {
      const orgSid = scimOrg(actor, 'read');
      const found = isSidOf('US', userSid) ? await store.read.scimUsers.get(orgSid, userSid) : undefined;
      if (!found) throw notFound();
      return found;
    },

    /**
     * C2: provisions a person: a new managed user through the enrollment rule (D6, D7, U1), or a
     * member of the organization the IdP had not provisioned yet (adopted). A person the IdP
     * already provisioned, or who belongs to another organization, is a conflict (409 uniqueness).
     *
     * The common case, a new person, is decided by the same rule `enroll` asks and written in one
     * statement (createMember): IdPs push users in bulk and the transaction through `enroll` costs
     * a dozen round trips. Every other case (an existing user row, an inactive creation) goes
     * through `enroll` in one transaction.
     */
    async create(actor: Actor, input: ScimUserInput): Promise<ScimUserRecord> {
      const orgSid = scimOrg(actor);
      const email = identityEmail(input);
      const normal = normaliseEmail(email);
      if (!normal.ok) throw new DomainError('invalid_input', normal.message);
      if (input.active) {
        const facts = await store.read.scimUsers.enrollmentFacts(normal.email, normal.domain);
        if (facts.member === null) {
          const decision = decideEnrollment({ path: 'scim', email: normal.email, member: null, verifiedDomain: facts.domain, targetOrgSid: orgSid, role: 'standard' });
          if (decision.kind === 'reject') fail(decision);
          if (decision.kind === 'join') {
            const created = await store.read.scimUsers.createMember({
              orgSid, userSid: newSid('US'), email: decision.email, ...profileOf(input),
              userName: input.userName, externalId: input.externalId, attributes: storedAttributes(input),
              actor: actorLabel(actor), requestId: actor.requestId ?? null,
              joinedAudit: { email: decision.email, role: decision.role, path: 'scim' },
              provisionedAudit: { email: decision.email, userName: input.userName, externalId: input.externalId, adopted: false },
            });
            // Undefined: the domain changed since the facts were read; decide again below, under lock.
            if (created) return created;
          }
        }
      }
      return store.transaction(async (repos) => {
        const now = clock.now();
        const enrolled = await enroll(repos, actor, { path: 'scim', email, targetOrgSid: orgSid, role: 'standard', profile: profileOf(input), now });
        const userSid = enrolled.member.sid;
        let current = enrolled.outcome === 'already_member' ? await repos.scimUsers.get(orgSid, userSid) : undefined;
        if (current?.provisioned) {
          throw new DomainError('scim_user_exists', `${current.email} is already provisioned in this organization (userName "${current.userName}").`);
        }
        // C4: adopting the Owner (locked by enroll) may not rewrite their identity either.
        if (current) refuseOwnerIdentityChange(current, input, current.email);
        await repos.scimUsers.save(orgSid, userSid, { userName: input.userName, externalId: input.externalId, attributes: storedAttributes(input) });
        current = (await repos.scimUsers.get(orgSid, userSid))!;
        await audit(repos, actor, {
          orgSid, action: 'scim.user_provisioned', target: userSid,
          after: { email: current.email, userName: input.userName, externalId: input.externalId, adopted: enrolled.outcome === 'already_member' },
        });
        // An adopted member takes the IdP's profile; a suspended one is suspended at once (C3).
        return enrolled.outcome === 'already_member' || !input.active ? applyUpdate(repos, actor, orgSid, current, input) : current;
      });
    },

    /** PUT: replaces the member's SCIM attributes and profile. */
    async replace(actor: Actor, userSid: string, input: ScimUserInput, options: { ifMatch?: IfMatch } = {}): Promise<ScimUserRecord> {
      const orgSid = scimOrg(actor);
      if (actor.kind === 'scim') {
        const done = await updateAtOnce(actor, await readForUpdate(orgSid, userSid, options.ifMatch), input);
        if (done) return done;
      }
      return store.transaction(async (repos) => applyUpdate(repos, actor, orgSid, await lockRecord(repos, orgSid, userSid, options.ifMatch), input));
    },

    /** PATCH: `change` computes the new state from the locked current one (no lost updates). */
    async update(actor: Actor, userSid: string, change: (current: ScimUserRecord) => ScimUserInput, options: { ifMatch?: IfMatch } = {}): Promise<ScimUserRecord> {
      const orgSid = scimOrg(actor);
      if (actor.kind === 'scim') {
        const current = await readForUpdate(orgSid, userSid, options.ifMatch);
        const done = await updateAtOnce(actor, current, change(current));
        if (done) return done;
      }
      return store.transaction(async (repos) => {
        const current = await lockRecord(repos, orgSid, userSid, options.ifMatch);
        return applyUpdate(repos, actor, orgSid, current, change(current));
      });
    },

    /** C4: removes the member: memberships, grants and sessions end, owned accounts pass to the Owner. */
    async remove(actor: Actor, userSid: string, options: { ifMatch?: IfMatch } = {}): Promise<void> {
      const orgSid = scimOrg(actor);
      await store.transaction(async (repos) => {
        await lockRecord(repos, orgSid, userSid, options.ifMatch);
        await removeMember(repos, actor, orgSid, userSid, clock.now());
      });
    },
  };
}

export type ScimUsersService = ReturnType<typeof createScimUsersService>;
