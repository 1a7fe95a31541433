/**
 * Invitations over the API (issue 10): invite one or several emails (D6, D7, U1 through the one
 * enrollment rule; a different role for a pending invitation needs `replace: true`), list the
 * pending ones, revoke, resend (a new link; the old one stops working). The Owner, Administrators
 * and admin API clients invite; a read-only client only lists. Orgward-only resource.
 */
import { z } from 'zod';
import { DomainError } from '../../errors.js';
import type { InvitationView } from '../../services/invitations.js';
import type { Services } from '../../services/index.js';
import { defineRoute, type ApiRoute } from './registry.js';
import { OrganizationSid } from './schemas.js';
import { idempotent, IDEMPOTENCY_HEADER } from './preconditions.js';

const TAGS = ['Invitations'];
const InvitationId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be an invitation id (a lowercase UUID)');
const Role = z.enum(['admin', 'standard']);

export const InvitationResource = z.object({
  invitation_id: InvitationId,
  email: z.string(),
  role: Role,
  invited_by: z.string().nullable(),
  expires_at: z.iso.datetime(),
  date_created: z.iso.datetime(),
});

const Replaced = z.object({ invitation_id: z.string(), role_from: Role, role_to: Role }).nullable()
  .describe('The pending invitation this one replaced, and its role before and after.');

const toResource = (i: InvitationView): z.infer<typeof InvitationResource> => ({
  invitation_id: i.invitationId, email: i.email, role: i.role, invited_by: i.invitedBy, expires_at: i.expiresAt.toISOString(), date_created: i.createdAt.toISOString(),
});

const Outcome = z.object({
  email: z.string(),
  invitation: InvitationResource.extend({ replaced: Replaced }).nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

const orgParams = z.strictObject({ OrganizationSid });
const invitationParams = z.strictObject({ OrganizationSid, InvitationId });

export function invitationRoutes(services: Services): ApiRoute[] {
  const sent = (i: Awaited<ReturnType<Services['invitations']['invite']>>) => ({
    ...toResource(i),
    replaced: i.replaced ? { invitation_id: i.replaced.invitationId, role_from: i.replaced.role.from, role_to: i.replaced.role.to } : null,
  });

  return [
    defineRoute({
      method: 'get', path: '/Organizations/{OrganizationSid}/Invitations', summary: 'List the pending invitations (never their links)', tags: TAGS,
      access: 'admin:read', auth: 'principal', errors: 'orgward', params: orgParams,
      responses: { 200: { description: 'Pending invitations, oldest first', schema: z.object({ invitations: z.array(InvitationResource) }) } },
      async handler({ params, principal }) {
        return { status: 200, body: { invitations: (await services.invitations.listPending(principal.actor, params.OrganizationSid)).map(toResource) } };
      },
    }),

    defineRoute({
      method: 'post', path: '/Organizations/{OrganizationSid}/Invitations', summary: 'Invite one or several people by email (D6, D7, U1)', tags: TAGS,
      access: 'admin:write', auth: 'principal', errors: 'orgward', params: orgParams,
      body: z.strictObject({
        emails: z.array(z.string().trim().min(3).max(320)).min(1).max(100).describe('Each is invited on its own: one refusal does not stop the others.'),
        role: Role.default('standard'),
        replace: z.boolean().default(false).describe('Replace a pending invitation that offers another role (otherwise invitation_pending).'),
      }),
      headers: [IDEMPOTENCY_HEADER],
      responses: {
        200: { description: 'One outcome per email, in the order given: the invitation, or the error that refused it', schema: z.object({ results: z.array(Outcome) }) },
      },
      async handler({ params, body, principal, req }) {
        return idempotent(services, req, principal, body, async () => {
          const results: z.infer<typeof Outcome>[] = [];
          for (const email of body.emails) {
            try {
              const invitation = await services.invitations.invite(principal.actor, params.OrganizationSid, { email, role: body.role, replace: body.replace });
              results.push({ email, invitation: sent(invitation), error: null });
            } catch (error) {
              // Refusals that concern the caller, not the email (another organization, a role that
              // cannot invite), refuse the whole request as they would a single invitation.
              if (!(error instanceof DomainError) || ['not_found', 'forbidden', 'unauthenticated', 'user_suspended'].includes(error.code)) throw error;
              results.push({ email, invitation: null, error: { code: error.code, message: error.message } });
            }
          }
          return { status: 200, body: { results } };
        });
      },
    }),

    defineRoute({
      method: 'delete', path: '/Organizations/{OrganizationSid}/Invitations/{InvitationId}', summary: 'Revoke a pending invitation: its link stops working', tags: TAGS,
      access: 'admin:write', auth: 'principal', errors: 'orgward', params: invitationParams, headers: [IDEMPOTENCY_HEADER],
      responses: { 204: { description: 'Revoked' } },
      async handler({ params, principal, req }) {
        return idempotent(services, req, principal, {}, async () => {
          await services.invitations.revoke(principal.actor, params.OrganizationSid, params.InvitationId);
          return { status: 204 };
        });
      },
    }),

    defineRoute({
      method: 'post', path: '/Organizations/{OrganizationSid}/Invitations/{InvitationId}/Resend', summary: 'Mail a pending invitation again with a new link (the old link stops working)', tags: TAGS,
      access: 'admin:write', auth: 'principal', errors: 'orgward', params: invitationParams, headers: [IDEMPOTENCY_HEADER],
      responses: { 200: { description: 'The renewed invitation (a new id)', schema: InvitationResource.extend({ replaced: Replaced }) } },
      async handler({ params, principal, req }) {
        return idempotent(services, req, principal, {}, async () => {
          const invitation = await services.invitations.resend(principal.actor, params.OrganizationSid, params.InvitationId);
          return { status: 200, body: sent(invitation) };
        });
      },
    }),
  ];
}
