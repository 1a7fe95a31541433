/**
 * The merge invitation link as its invitee sees it (M1): whether it still works, and the
 * invitee's "no". Accepting is merges.accept (M2, M3); the preview is merges.preview.
 */
import { DomainError } from '../errors.js';
import { decideMergeDecline } from '../rules/declines.js';
import { decideLinkState, type LinkState } from '../rules/mailed-links.js';
import { hashToken } from '../security/tokens.js';
import type { Actor } from '../types.js';
import { invitationFor } from './merges.js';
import { audit, fail, snapshotOf } from './context.js';
import type { ServiceDeps } from './index.js';

/** What the merge page may say before anyone signs in. */
export interface MergeLinkState {
  readonly state: LinkState;
  /** The inviting (Prime) organization's name, for a live link only (the mail named it). */
  readonly primeName: string | null;
}

const linkDead = () => new DomainError('token_invalid', 'This merge link is invalid, expired or already used.');

/** createMergeLinks: the state of a merge link and declining it. */
export function createMergeLinks(deps: ServiceDeps) {
  const { store, clock } = deps;

  return {
    /** The link's state: a used, expired or withdrawn link is said so at once, before signing in. */
    async linkState(token: string): Promise<MergeLinkState> {
      const found = typeof token === 'string' && token.length <= 128 ? await store.read.tokens.find(hashToken(token), 'merge') : undefined;
      const request = found ? await store.read.merges.get(found.subject) : undefined;
      let state = decideLinkState(found && request ? found : undefined, clock.now());
      if (state === 'live' && request!.status !== 'pending') state = request!.status === 'accepted' ? 'used' : 'withdrawn';
      const prime = state === 'live' ? await store.read.organizations.get(request!.primeOrgSid) : undefined;
      if (state === 'live' && (!prime || prime.mergedIntoSid)) return { state: 'withdrawn', primeName: null };
      return { state, primeName: prime?.name ?? null };
    },

    /**
     * M1: the invitee declines. The link is consumed and the invitation ends (status declined),
     * audited in the Prime's log; nothing else changes.
     */
    async decline(actor: Actor, token: string): Promise<{ mergeId: string; primeOrgSid: string }> {
      if (actor.kind !== 'user') throw new DomainError('forbidden', 'Sign in as the person the merge invitation was sent to.');
      if (typeof token !== 'string' || token.length > 128) throw linkDead();
      return store.transaction(async (repos) => {
        const now = clock.now();
        const used = await repos.tokens.consume(hashToken(token), 'merge', now);
        const request = used ? await repos.merges.lock(used.subject) : undefined;
        if (!request || request.status !== 'pending') throw linkDead();
        const me = await repos.users.get(actor.userSid);
        if (!me) throw new DomainError('unauthenticated', 'Sign in again.');
        const decision = decideMergeDecline(snapshotOf(me), request.candidateOwnerEmail);
        if (decision.kind === 'reject') fail(decision);
        await repos.merges.markDeclined(request.id, now);
        await audit(repos, actor, {
          orgSid: request.primeOrgSid, action: 'merge.declined', target: request.id,
          before: { status: 'pending' }, after: { status: 'declined', candidateOwnerEmail: request.candidateOwnerEmail },
        });
        return { mergeId: request.id, primeOrgSid: request.primeOrgSid };
      });
    },

    /** M1 over the API: the signed-in invitee declines by the invitation's id; the mailed link stops working. */
    async declineInvitation(actor: Actor, candidateOrgSid: string, mergeId: string): Promise<{ mergeId: string; primeOrgSid: string }> {
      return store.transaction(async (repos) => {
        const now = clock.now();
        const { request } = await invitationFor(repos, actor, candidateOrgSid, mergeId, now, true);
        await repos.tokens.expireFor('merge', request.id, now);
        await repos.merges.markDeclined(request.id, now);
        await audit(repos, actor, {
          orgSid: request.primeOrgSid, action: 'merge.declined', target: request.id,
          before: { status: 'pending' }, after: { status: 'declined', candidateOwnerEmail: request.candidateOwnerEmail },
        });
        return { mergeId: request.id, primeOrgSid: request.primeOrgSid };
      });
    },
  };
}

/** The merge-link service object. */
export type MergeLinks = ReturnType<typeof createMergeLinks>;
