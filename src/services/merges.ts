/**
 * Merging a Candidate organization into a Prime: invitation (M1, M2), preview of what moves, who
 * changes role and the Prime's account limit (M3, O5), and acceptance by the Candidate's Owner (M2
 * and the limit again under the locks, M3 in one transaction, O4).
 */
import { DomainError } from '../errors.js';
import { normaliseEmail } from '../rules/domains.js';
import { decideMergeAcceptor, decideMergeInvitation, type MergeInvitationDecision } from '../rules/merge-invitations.js';
import { decideMergeAccountLimit } from '../rules/merge.js';
import type { Role } from '../rules/types.js';
import { hashToken, newToken } from '../security/tokens.js';
import type { Repos } from '../store/index.js';
import type { MergeRequest } from '../store/merge-requests.js';
import { actorLabel, type Actor, type Organization } from '../types.js';
import { audit, authorize, authorizeRead, fail, snapshotOf } from './context.js';
import type { ServiceDeps } from './index.js';
import { link, queueMail } from './mail-queue.js';
import { applyMergePlan, loadMergePlan, verifiedDomainNames } from './merge-apply.js';
import { UUID_PATTERN } from '../ids.js';

/** M1: how long a merge invitation link stays valid. */
export const MERGE_LINK_TTL_MS = 14 * 24 * 60 * 60 * 1000;

export interface MergeInvitation {
  readonly mergeId: string;
  readonly primeOrgSid: string;
  readonly candidateOrgSid: string;
  readonly candidateOwnerEmail: string;
  readonly expiresAt: Date;
}

/** What a merge would do now (M3), and whether M2 still allows it. */
export interface MergePreview {
  readonly mergeId: string;
  readonly status: MergeRequest['status'];
  readonly primeOrgSid: string;
  readonly primeName: string;
  readonly candidateOrgSid: string | null;
  readonly candidateName: string | null;
  readonly candidateOwnerEmail: string;
  readonly allowed: boolean;
  readonly refusal: { readonly reason: string; readonly message: string } | null;
  readonly accounts: readonly { sid: string; name: string; ownerSid: string; status: string; management: string | null }[];
  readonly users: readonly { userSid: string; email: string; fromRole: Role | null; toRole: 'standard'; accountSids: readonly string[] }[];
  readonly roleChanges: readonly { userSid: string; email: string; from: Role | null; to: 'standard' }[];
  readonly ssoRequired: readonly string[];
  /** O5, M3: the Prime's account limit, the accounts it would hold after the merge, and whether they fit (null without a Candidate). */
  readonly accountLimit: number;
  readonly accountsAfter: number | null;
  readonly withinLimit: boolean;
}

export interface MergeResult {
  readonly mergeId: string;
  readonly primeOrgSid: string;
  readonly candidateOrgSid: string;
  readonly movedAccountSids: readonly string[];
  readonly movedUserSids: readonly string[];
}

/** M2 as of now: the decision for the invited address against current data. */
async function checkMerge(repos: Repos, primeSid: string, email: string): Promise<MergeInvitationDecision> {
  const normal = normaliseEmail(email);
  const owner = normal.ok ? await repos.users.getByEmail(normal.email) : undefined;
  return decideMergeInvitation({
    primeSid,
    primeVerifiedDomains: await verifiedDomainNames(repos, primeSid),
    candidateOwnerEmail: email,
    candidateOwner: owner ? snapshotOf(owner) : null,
    candidateVerifiedDomains: owner?.orgSid ? await verifiedDomainNames(repos, owner.orgSid) : [],
  });
}

function refuse(decision: Exclude<MergeInvitationDecision, { kind: 'invite' }>): never {
  return fail(decision, 'reason' in decision ? { reason: decision.reason } : undefined);
}

/** createMergeService: the merge use cases over one Store. */
export function createMergeService(deps: ServiceDeps) {
  const { store, clock, baseUrl } = deps;

  const service = {
    /**
     * M1, M2: the Prime's Owner or an Administrator invites the Candidate's Owner by email. The
     * conditions are checked now (merge_not_allowed with `details.reason`) and again at acceptance.
     */
    async invite(actor: Actor, primeOrgSid: string, candidateOwnerEmail: string): Promise<MergeInvitation> {
      return store.transaction(async (repos, afterCommit) => {
        const auth = await authorize(repos, actor, primeOrgSid, 'merge');
        const decision = await checkMerge(repos, primeOrgSid, candidateOwnerEmail);
        if (decision.kind === 'reject') return refuse(decision);
        const candidate = (await repos.organizations.get(decision.candidateSid))!;
        const request = await repos.merges.insert({ primeOrgSid, candidateOwnerEmail: decision.email, invitedBy: actorLabel(actor) });
        const token = newToken();
        const expiresAt = new Date(clock.now().getTime() + MERGE_LINK_TTL_MS);
        await repos.tokens.insert({ tokenHash: hashToken(token), purpose: 'merge', subject: request.id, orgSid: primeOrgSid, expiresAt });
        await queueMail(repos, afterCommit, deps, {
          to: decision.email,
          subject: `${auth.org.name} invites you to merge ${candidate.name} into it`,
          body: [
            `${auth.org.name} invites you, as Owner of ${candidate.name}, to merge your organization into theirs.`,
            `If you accept, every account and user of ${candidate.name} moves to ${auth.org.name}.`,
            "Accounts keep their owners, status and billing. Every user, you included, becomes a Standard User",
            `with access to the accounts they had; ${auth.org.name}'s administrators may promote them.`,
            `${candidate.name} then ceases to exist. This cannot be undone.`,
            '',
            `Review and accept here (until ${expiresAt.toISOString()}):`,
            link(baseUrl, `/merges/${token}`),
          ].join('\n'),
        });
        await audit(repos, actor, {
          orgSid: primeOrgSid, action: 'merge.invited', target: request.id,
          after: { candidateOrgSid: decision.candidateSid, candidateOwnerEmail: decision.email, expiresAt },
        });
        return { mergeId: request.id, primeOrgSid, candidateOrgSid: decision.candidateSid, candidateOwnerEmail: decision.email, expiresAt };
      });
    },

    /**
     * M3: what the merge would move and who would change role, with M2 checked as of now. By
     * merge id for the Prime's Owner and Administrators; by the invitation's token for the invitee.
     */
    async preview(actor: Actor, mergeIdOrToken: string): Promise<MergePreview> {
      const repos = store.read;
      const request = await findRequest(repos, mergeIdOrToken, clock.now());
      await authorizePreview(repos, actor, request);
      const prime = await repos.organizations.get(request.primeOrgSid);
      if (!prime) throw new DomainError('not_found', 'This merge invitation no longer exists.');
      const decision = await checkMerge(repos, prime.sid, request.candidateOwnerEmail);
      const candidateSid = decision.kind === 'invite' ? decision.candidateSid : (await repos.users.getByEmail(request.candidateOwnerEmail))?.orgSid ?? null;
      const candidate: Organization | undefined = candidateSid && candidateSid !== prime.sid ? await repos.organizations.get(candidateSid) : undefined;
      const loaded = candidate ? await loadMergePlan(repos, prime.sid, candidate.sid) : undefined;
      // M3, O5: past the Prime's account limit the merge is refused; the preview says so and how to fix it.
      const limit = loaded ? decideMergeAccountLimit(loaded.plan) : undefined;
      const refusal = decision.kind === 'reject'
        ? { reason: 'reason' in decision ? decision.reason : decision.code, message: decision.message }
        : limit?.kind === 'reject' ? { reason: limit.code, message: limit.message } : null;
      return {
        mergeId: request.id, status: request.status, primeOrgSid: prime.sid, primeName: prime.name,
        candidateOrgSid: candidate?.sid ?? null, candidateName: candidate?.name ?? null, candidateOwnerEmail: request.candidateOwnerEmail,
        allowed: request.status === 'pending' && decision.kind === 'invite' && limit?.kind !== 'reject',
        refusal,
        accountLimit: prime.accountLimit,
        accountsAfter: loaded?.plan.preview.accountsAfter ?? null,
        withinLimit: loaded?.plan.preview.withinLimit ?? true,
        accounts: (loaded?.accounts ?? []).map((a) => ({ sid: a.sid, name: a.name, ownerSid: a.ownerSid, status: a.status, management: a.management })),
        users: (loaded?.plan.userMoves ?? []).map((u) => ({ userSid: u.userSid, email: u.email, fromRole: u.fromRole, toRole: u.toRole, accountSids: u.accountSids })),
        roleChanges: loaded?.plan.preview.roleChanges ?? [],
        ssoRequired: loaded?.plan.preview.ssoRequired ?? [],
      };
    },

    /**
     * M1, M2, M3, O4: the Candidate's Owner accepts with the invitation's token. In one
     * transaction: M2 is checked again, every Candidate account and user moves to the Prime, and
     * the Candidate ceases to exist. The token is consumed in that transaction (single use).
     */
    async accept(actor: Actor, token: string): Promise<MergeResult> {
      if (actor.kind !== 'user') throw new DomainError('forbidden', "Only the invited organization's Owner, signed in, can accept a merge.");
      return store.transaction(async (repos) => {
        const now = clock.now();
        const used = await repos.tokens.consume(hashToken(token), 'merge', now);
        const request = used ? await repos.merges.lock(used.subject) : undefined;
        if (!request || request.status !== 'pending') throw new DomainError('token_invalid', 'This merge link is invalid, expired or already used.');
        return acceptLocked(repos, actor, request, now);
      });
    },

    /**
     * M1, M2, M3 over the API: the Candidate's Owner, signed in to the console, accepts the
     * invitation by its id (their session proves who they are, as the mailed link's token does).
     * The mailed link stops working in the same transaction.
     */
    async acceptInvitation(actor: Actor, candidateOrgSid: string, mergeId: string): Promise<MergeResult> {
      return store.transaction(async (repos) => {
        const now = clock.now();
        const { request, user } = await invitationFor(repos, actor, candidateOrgSid, mergeId, now, true);
        await repos.tokens.expireFor('merge', request.id, now);
        return acceptLocked(repos, { ...actor, kind: 'user', userSid: user }, request, now);
      });
    },

    /** M3 preview for the Prime's Owner, Administrators and admin clients, of an invitation of `primeOrgSid` only. */
    async primePreview(actor: Actor, primeOrgSid: string, mergeId: string): Promise<MergePreview> {
      await authorizeRead(store.read, actor, primeOrgSid, 'merge');
      const request = UUID_PATTERN.test(mergeId) ? await store.read.merges.get(mergeId) : undefined;
      if (!request || request.primeOrgSid !== primeOrgSid) throw new DomainError('not_found', `No merge invitation ${mergeId} in organization ${primeOrgSid}.`);
      return service.preview(actor, mergeId);
    },

    /** M1: the Prime's merge invitations, newest first (Owner and Administrators, O3). */
    async list(actor: Actor, primeOrgSid: string): Promise<MergeRequest[]> {
      await authorizeRead(store.read, actor, primeOrgSid, 'merge');
      return store.read.merges.listByPrime(primeOrgSid);
    },

    /** M1: the Candidate Owner's pending invitations whose link still works (their console session only). */
    async incoming(actor: Actor, candidateOrgSid: string): Promise<MergeRequest[]> {
      const me = await inviteeIn(store.read, actor, candidateOrgSid);
      return store.read.merges.listLiveForEmail(me.email, clock.now());
    },

    /** M3 preview of an invitation sent to the signed-in Candidate Owner. */
    async incomingPreview(actor: Actor, candidateOrgSid: string, mergeId: string): Promise<MergePreview> {
      await invitationFor(store.read, actor, candidateOrgSid, mergeId, clock.now(), false);
      return service.preview(actor, mergeId);
    },

    /**
     * M1: the Prime's Owner or an Administrator withdraws a pending invitation; its link stops
     * working at once. Audited in the Prime's log.
     */
    async revoke(actor: Actor, primeOrgSid: string, mergeId: string): Promise<MergeRequest> {
      return store.transaction(async (repos) => {
        await authorize(repos, actor, primeOrgSid, 'merge');
        const now = clock.now();
        const request = UUID_PATTERN.test(mergeId) ? await repos.merges.lock(mergeId) : undefined;
        if (!request || request.primeOrgSid !== primeOrgSid) throw new DomainError('not_found', `No merge invitation ${mergeId} in organization ${primeOrgSid}.`);
        if (request.status !== 'pending') {
          throw new DomainError('conflict', `This merge invitation is already ${request.status}; only a pending one can be revoked.`);
        }
        await repos.merges.markRevoked(request.id, now);
        await repos.tokens.expireFor('merge', request.id, now);
        await audit(repos, actor, {
          orgSid: primeOrgSid, action: 'merge.revoked', target: request.id,
          before: { status: 'pending' }, after: { status: 'revoked', candidateOwnerEmail: request.candidateOwnerEmail },
        });
        return { ...request, status: 'revoked', decidedAt: now };
      });
    },
  };
  return service;

  /** The part of acceptance common to the mailed link and the API, with the request locked and pending. */
  async function acceptLocked(repos: Repos, actor: Extract<Actor, { kind: 'user' }>, request: MergeRequest, now: Date): Promise<MergeResult> {
    const me = await repos.users.lock(actor.userSid);
    if (!me) throw new DomainError('unauthenticated', 'Sign in again.');
    const acceptor = decideMergeAcceptor(snapshotOf(me), request.candidateOwnerEmail);
    if (acceptor.kind === 'reject') return fail(acceptor);
    const candidateSid = me.orgSid!;
    // Both organizations are locked, in SID order so that two merges cannot deadlock.
    for (const sid of [request.primeOrgSid, candidateSid].sort()) await repos.organizations.lock(sid);
    if (!(await repos.organizations.get(request.primeOrgSid))) throw new DomainError('not_found', 'The inviting organization no longer exists.');
    const decision = await checkMerge(repos, request.primeOrgSid, request.candidateOwnerEmail);
    if (decision.kind === 'reject') return refuse(decision);
    const candidate = (await repos.organizations.get(candidateSid))!;
    const { plan } = await loadMergePlan(repos, request.primeOrgSid, candidateSid);
    // M3, O5: checked again under both organizations' locks, so no account created meanwhile slips past the limit.
    const limit = decideMergeAccountLimit(plan);
    if (limit.kind === 'reject') return fail(limit, { reason: limit.code, accountLimit: plan.preview.accountLimit, accountsAfter: plan.preview.accountsAfter });
    const effects = await applyMergePlan(repos, actor, plan, now);
    await repos.merges.markAccepted(request.id, candidateSid, now);
    await audit(repos, actor, {
      orgSid: request.primeOrgSid, action: 'organization.merged', target: candidateSid,
      before: { candidate: { sid: candidate.sid, name: candidate.name }, roles: plan.userMoves.map((u) => ({ userSid: u.userSid, role: u.fromRole })) },
      after: {
        mergeId: request.id, accountSids: plan.accountMoves.map((a) => a.accountSid),
        users: plan.userMoves.map((u) => ({ userSid: u.userSid, role: u.toRole, accountSids: u.accountSids })), ...effects,
      },
    });
    return {
      mergeId: request.id, primeOrgSid: request.primeOrgSid, candidateOrgSid: candidateSid,
      movedAccountSids: plan.accountMoves.map((a) => a.accountSid), movedUserSids: plan.userMoves.map((u) => u.userSid),
    };
  }
}

/**
 * M1: the signed-in person an invitation is for, in their own organization. Only a console
 * session answers an invitation (not an API client, not the operator: accepting gives the
 * organization away); another organization in the path, or an invitation for someone else, is 404.
 */
async function inviteeIn(repos: Repos, actor: Actor, orgSid: string): Promise<{ userSid: string; email: string }> {
  if (actor.kind === 'api_client' && actor.orgSid !== orgSid) throw new DomainError('not_found', `No organization ${orgSid}.`);
  if (actor.kind !== 'user') throw new DomainError('forbidden', "Only the invited organization's Owner, signed in to the console, answers a merge invitation.");
  const me = await repos.users.get(actor.userSid);
  if (!me) throw new DomainError('unauthenticated', 'Sign in again.');
  if (me.orgSid !== orgSid) throw new DomainError('not_found', `No organization ${orgSid}.`);
  const mine = normaliseEmail(me.email);
  return { userSid: me.sid, email: mine.ok ? mine.email : me.email };
}

/** An invitation sent to the signed-in person whose link still works (locked when `lock`), or 404 / token_invalid. */
export async function invitationFor(repos: Repos, actor: Actor, orgSid: string, mergeId: string, now: Date, lock: boolean): Promise<{ request: MergeRequest; user: string }> {
  const me = await inviteeIn(repos, actor, orgSid);
  const request = UUID_PATTERN.test(mergeId) ? await (lock ? repos.merges.lock(mergeId) : repos.merges.get(mergeId)) : undefined;
  if (!request || request.candidateOwnerEmail !== me.email) throw new DomainError('not_found', `No merge invitation ${mergeId} for you.`);
  const live = (await repos.merges.listLiveForEmail(me.email, now)).some((r) => r.id === request.id);
  if (request.status !== 'pending' || !live) throw new DomainError('token_invalid', `This merge invitation is ${request.status === 'pending' ? 'expired' : request.status}; ask the inviting organization for a new one.`);
  return { request, user: me.userSid };
}

async function findRequest(repos: Repos, idOrToken: string, now: Date): Promise<MergeRequest> {
  const id = UUID_PATTERN.test(idOrToken) ? idOrToken : (await repos.tokens.peek(hashToken(idOrToken), 'merge', now))?.subject;
  const request = id ? await repos.merges.get(id) : undefined;
  if (!request) throw new DomainError('not_found', 'This merge invitation does not exist or has expired.');
  return request;
}

/** The Prime's Owner and Administrators (M1) and the invitee see a preview; others get 404. */
async function authorizePreview(repos: Repos, actor: Actor, request: MergeRequest): Promise<void> {
  if (actor.kind === 'operator' || actor.kind === 'system') return;
  if (actor.kind === 'api_client') {
    await authorize(repos, actor, request.primeOrgSid, 'merge');
    return;
  }
  if (actor.kind === 'user') {
    const me = await repos.users.get(actor.userSid);
    const mine = me ? normaliseEmail(me.email) : undefined;
    if (mine?.ok && mine.email === request.candidateOwnerEmail) return;
    if (me?.orgSid === request.primeOrgSid) {
      await authorize(repos, actor, request.primeOrgSid, 'merge');
      return;
    }
  }
  throw new DomainError('not_found', 'This merge invitation does not exist or has expired.');
}
