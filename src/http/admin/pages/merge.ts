/**
 * Merge (M1-M3): the Prime's Owner or an Administrator invites the Candidate organization's Owner
 * and sees the preview (what would move, role changes, the account limit, and whether M2 allows
 * it now) and the pending requests; the Candidate Owner sees incoming requests with the same
 * preview, which is also the confirmation step of accepting. The mailed link (/merges/…) works too.
 */
import type { Request } from 'express';
import { isDomainError } from '../../../errors.js';
import { withNotice } from '../notices.js';
import { formField, orgOf, param, type AdminRoute, type PageContext } from '../page.js';

const back = () => '/admin/merge';
const idOf = (req: Request) => param(req, 'id').slice(0, 100);

async function overview(c: PageContext) {
  const orgSid = orgOf(c);
  const outgoing = await c.services.merges.list(c.actor, orgSid);
  // Only the Candidate's Owner may see requests addressed to their organization.
  let incoming: Awaited<ReturnType<typeof c.services.merges.incoming>> = [];
  try { incoming = await c.services.merges.incoming(c.actor, orgSid); } catch (error) { if (!isDomainError(error) || error.kind !== 'forbidden') throw error; }
  return { view: 'merge', title: 'Merge organizations', data: { outgoing, incoming: incoming.filter((m) => m.status === 'pending') } };
}

export function mergePages(): AdminRoute[] {
  return [
    { method: 'get', path: '/merge', action: 'merge', handler: overview },
    {
      method: 'post', path: '/merge', action: 'merge', back,
      handler: async (c) => {
        const sent = await c.services.merges.invite(c.actor, orgOf(c), formField(c.req, 'email'));
        return { redirect: withNotice(`/admin/merge/${sent.mergeId}`, 'merge_invited') };
      },
    },
    {
      method: 'get', path: '/merge/incoming/:id', action: 'merge',
      handler: async (c) => ({ view: 'merge-preview', title: 'Merge into another organization?', data: { p: await c.services.merges.incomingPreview(c.actor, orgOf(c), idOf(c.req)), incoming: true } }),
    },
    {
      method: 'post', path: '/merge/incoming/:id/accept', action: 'merge', back,
      handler: async (c) => {
        await c.services.merges.acceptInvitation(c.actor, orgOf(c), idOf(c.req));
        // M3: this organization no longer exists; the user is now a member of the Prime.
        return { redirect: '/admin/me?notice=merge_accepted' };
      },
    },
    {
      method: 'get', path: '/merge/:id', action: 'merge',
      handler: async (c) => ({ view: 'merge-preview', title: 'Merge preview', data: { p: await c.services.merges.primePreview(c.actor, orgOf(c), idOf(c.req)), incoming: false } }),
    },
    {
      method: 'post', path: '/merge/:id/revoke', action: 'merge', back,
      handler: async (c) => {
        await c.services.merges.revoke(c.actor, orgOf(c), idOf(c.req));
        return { redirect: withNotice('/admin/merge', 'merge_revoked') };
      },
    },
  ];
}
