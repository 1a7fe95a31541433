/**
 * Invitations (D7, O3): invite one or several people by email with a role, see the pending
 * invitations, resend or revoke them. Each email is a separate invitation, so one refused email
 * (another organization's member, an unverified domain) does not stop the others; the result
 * page reports each one with its error code.
 */
import { DomainError, isDomainError } from '../../../errors.js';
import { withNotice } from '../notices.js';
import { formField, orgOf, param, type AdminRoute } from '../page.js';

/** At most this many emails in one form (bulk import takes more). */
const MAX_EMAILS = 50;

export function invitationPages(): AdminRoute[] {
  const back = () => '/admin/invitations';
  return [
    {
      method: 'get', path: '/invitations', action: 'manage_users',
      handler: async (c) => ({ view: 'invitations', title: 'Invitations', data: { pending: await c.services.invitations.listPending(c.actor, orgOf(c)) } }),
    },
    { method: 'get', path: '/invitations/new', action: 'manage_users', handler: async () => ({ view: 'invite', title: 'Invite users', data: {} }) },
    {
      method: 'post', path: '/invitations', action: 'manage_users', back: () => '/admin/invitations/new',
      handler: async (c) => {
        const emails = [...new Set(formField(c.req, 'emails').split(/[\s,;]+/).filter((e) => e !== ''))];
        const role = formField(c.req, 'role') === 'admin' ? 'admin' : 'standard';
        if (emails.length === 0) throw new DomainError('invalid_input', 'Enter at least one email address, one per line.');
        if (emails.length > MAX_EMAILS) throw new DomainError('invalid_input', `Invite at most ${MAX_EMAILS} people at once; use bulk import for more.`);
        const results = [];
        for (const email of emails) {
          try {
            const sent = await c.services.invitations.invite(c.actor, orgOf(c), { email, role, replace: true });
            results.push({ email, ok: true, detail: `Invited until ${sent.expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC` });
          } catch (error) {
            if (!isDomainError(error) || error.kind === 'forbidden') throw error;
            results.push({ email, ok: false, detail: error.message, code: error.code });
          }
        }
        return { view: 'invite-result', title: 'Invitations sent', data: { results } };
      },
    },
    {
      method: 'post', path: '/invitations/:id/resend', action: 'manage_users', back,
      handler: async (c) => {
        await c.services.invitations.resend(c.actor, orgOf(c), param(c.req, 'id'));
        return { redirect: withNotice('/admin/invitations', 'invitation_resent') };
      },
    },
    {
      method: 'post', path: '/invitations/:id/revoke', action: 'manage_users', back,
      handler: async (c) => {
        await c.services.invitations.revoke(c.actor, orgOf(c), param(c.req, 'id'));
        return { redirect: withNotice('/admin/invitations', 'invitation_revoked') };
      },
    },
  ];
}
