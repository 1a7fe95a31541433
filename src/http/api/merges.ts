/**
 * Merges over the API (M1-M3). The Prime's side: its Owner, an Administrator or an admin client
 * invites the Candidate's Owner by email, lists the invitations, reads the preview (accounts that
 * move, role changes, the account limit with withinLimit, SSO that applies) and revokes. The
 * Candidate's side: only its Owner, signed in to the console, lists, previews, accepts and
 * declines (an API client cannot give its organization away); the mailed page /merges/<token>
 * does the same. Another organization is 404. Orgward resource: Orgward errors.
 */
import { z } from 'zod';
import type { Services } from '../../services/index.js';
import type { MergePreview, MergeResult } from '../../services/merges.js';
import type { MergeRequest } from '../../store/merge-requests.js';
import { defineRoute, type ApiRoute } from './registry.js';
import { AccountSid, OrganizationSid, UserSid } from './schemas.js';
import { idempotent, IDEMPOTENCY_HEADER } from './preconditions.js';

const TAGS = ['Merges'];
const MergeId = z.uuid().describe('The merge invitation\'s id');
const Role = z.enum(['owner', 'admin', 'standard']);

export const MergeResource = z.object({
  id: MergeId,
  status: z.enum(['pending', 'accepted', 'revoked', 'declined']),
  prime_organization_sid: OrganizationSid,
  candidate_owner_email: z.string(),
  candidate_organization_sid: OrganizationSid.nullable(),
  invited_by: z.string(),
  date_created: z.iso.datetime(),
  date_decided: z.iso.datetime().nullable(),
});

const toResource = (m: MergeRequest): z.infer<typeof MergeResource> => ({
  id: m.id, status: m.status, prime_organization_sid: m.primeOrgSid, candidate_owner_email: m.candidateOwnerEmail,
  candidate_organization_sid: m.candidateOrgSid, invited_by: m.invitedBy, date_created: m.createdAt.toISOString(), date_decided: m.decidedAt?.toISOString() ?? null,
});

export const MergePreviewResource = z.object({
  id: MergeId,
  status: z.enum(['pending', 'accepted', 'revoked', 'declined']),
  prime_organization_sid: OrganizationSid,
  prime_name: z.string(),
  candidate_organization_sid: OrganizationSid.nullable(),
  candidate_name: z.string().nullable(),
  candidate_owner_email: z.string(),
  allowed: z.boolean().describe('Whether accepting now would succeed (M2 and the account limit, as of now).'),
  refusal: z.object({ reason: z.string(), message: z.string() }).nullable(),
  accounts: z.array(z.object({ account_sid: AccountSid, friendly_name: z.string(), owner_sid: UserSid, status: z.string() })).describe('Accounts that move (M3).'),
  role_changes: z.array(z.object({ user_sid: UserSid, email: z.string(), from: Role.nullable(), to: z.literal('standard') })),
  users: z.array(z.object({ user_sid: UserSid, email: z.string(), from_role: Role.nullable(), to_role: z.literal('standard'), account_sids: z.array(AccountSid) })),
  sso_required: z.array(z.string()).describe('Moved users whom the Prime\'s SSO enforcement covers at once.'),
  account_limit: z.number().int(),
  accounts_after: z.number().int().nullable(),
  within_limit: z.boolean().describe('O5: whether the Prime stays within its account limit after the merge.'),
});

const toPreview = (p: MergePreview): z.infer<typeof MergePreviewResource> => ({
  id: p.mergeId, status: p.status, prime_organization_sid: p.primeOrgSid, prime_name: p.primeName,
  candidate_organization_sid: p.candidateOrgSid, candidate_name: p.candidateName, candidate_owner_email: p.candidateOwnerEmail,
  allowed: p.allowed, refusal: p.refusal,
  accounts: p.accounts.map((a) => ({ account_sid: a.sid, friendly_name: a.name, owner_sid: a.ownerSid, status: a.status })),
  role_changes: p.roleChanges.map((c) => ({ user_sid: c.userSid, email: c.email, from: c.from, to: c.to })),
  users: p.users.map((u) => ({ user_sid: u.userSid, email: u.email, from_role: u.fromRole, to_role: u.toRole, account_sids: [...u.accountSids] })),
  sso_required: [...p.ssoRequired], account_limit: p.accountLimit, accounts_after: p.accountsAfter, within_limit: p.withinLimit,
});

export const MergeResultResource = z.object({
  id: MergeId,
  status: z.literal('accepted'),
  prime_organization_sid: OrganizationSid,
  candidate_organization_sid: OrganizationSid,
  moved_account_sids: z.array(AccountSid),
  moved_user_sids: z.array(UserSid),
});

const toResult = (r: MergeResult): z.infer<typeof MergeResultResource> => ({
  id: r.mergeId, status: 'accepted', prime_organization_sid: r.primeOrgSid, candidate_organization_sid: r.candidateOrgSid,
  moved_account_sids: [...r.movedAccountSids], moved_user_sids: [...r.movedUserSids],
});

const orgParams = z.strictObject({ OrganizationSid });
const mergeParams = z.strictObject({ OrganizationSid, MergeId });

export function mergeRoutes(services: Services): ApiRoute[] {
  return [
    defineRoute({
      method: 'post', path: '/Organizations/{OrganizationSid}/Merges', summary: "Invite another organization's Owner to merge it into this one (M1, M2)", tags: TAGS,
      access: 'admin:write', auth: 'principal', errors: 'orgward', params: orgParams,
      body: z.strictObject({ candidateOwnerEmail: z.string().trim().min(3).max(320).describe("The Candidate organization's Owner's email") }),
      headers: [IDEMPOTENCY_HEADER],
      responses: { 201: { description: 'The invitation (mailed to the Candidate Owner)', schema: MergeResource.extend({ expires_at: z.iso.datetime() }) } },
      async handler({ params, body, principal, req }) {
        return idempotent(services, req, principal, body, async () => {
          const invitation = await services.merges.invite(principal.actor, params.OrganizationSid, body.candidateOwnerEmail);
          const created = (await services.merges.list(principal.actor, params.OrganizationSid)).find((m) => m.id === invitation.mergeId)!;
          return { status: 201, body: { ...toResource(created), expires_at: invitation.expiresAt.toISOString() } };
        });
      },
    }),

    defineRoute({
      method: 'get', path: '/Organizations/{OrganizationSid}/Merges', summary: "List this organization's merge invitations, newest first (M1)", tags: TAGS,
      access: 'admin:read', auth: 'principal', errors: 'orgward', params: orgParams,
      responses: { 200: { description: 'The invitations', schema: z.object({ merges: z.array(MergeResource) }) } },
      async handler({ params, principal }) {
        return { status: 200, body: { merges: (await services.merges.list(principal.actor, params.OrganizationSid)).map(toResource) } };
      },
    }),

    defineRoute({
      method: 'get', path: '/Organizations/{OrganizationSid}/Merges/{MergeId}', summary: 'Preview a merge: what moves, who changes role, the account limit, SSO (M3)', tags: TAGS,
      access: 'admin:read', auth: 'principal', errors: 'orgward', params: mergeParams,
      responses: { 200: { description: 'The preview as of now', schema: MergePreviewResource } },
      async handler({ params, principal }) {
        return { status: 200, body: toPreview(await services.merges.primePreview(principal.actor, params.OrganizationSid, params.MergeId)) };
      },
    }),

    defineRoute({
      method: 'delete', path: '/Organizations/{OrganizationSid}/Merges/{MergeId}', summary: 'Revoke a pending merge invitation; its link stops working (M1)', tags: TAGS,
      access: 'admin:write', auth: 'principal', errors: 'orgward', params: mergeParams,
      responses: { 200: { description: 'The revoked invitation', schema: MergeResource } },
      async handler({ params, principal }) {
        return { status: 200, body: toResource(await services.merges.revoke(principal.actor, params.OrganizationSid, params.MergeId)) };
      },
    }),

    defineRoute({
      method: 'get', path: '/Organizations/{OrganizationSid}/IncomingMerges', summary: "The Candidate side: merge invitations sent to this organization's Owner (their console session)", tags: TAGS,
      access: 'member-session:read', auth: 'principal', errors: 'orgward', params: orgParams,
      responses: { 200: { description: 'Pending invitations whose link still works', schema: z.object({ merges: z.array(MergeResource) }) } },
      async handler({ params, principal }) {
        return { status: 200, body: { merges: (await services.merges.incoming(principal.actor, params.OrganizationSid)).map(toResource) } };
      },
    }),

    defineRoute({
      method: 'get', path: '/Organizations/{OrganizationSid}/IncomingMerges/{MergeId}', summary: 'The Candidate side: preview an invitation sent to you (M3)', tags: TAGS,
      access: 'member-session:read', auth: 'principal', errors: 'orgward', params: mergeParams,
      responses: { 200: { description: 'The preview as of now', schema: MergePreviewResource } },
      async handler({ params, principal }) {
        return { status: 200, body: toPreview(await services.merges.incomingPreview(principal.actor, params.OrganizationSid, params.MergeId)) };
      },
    }),

    defineRoute({
      method: 'post', path: '/Organizations/{OrganizationSid}/IncomingMerges/{MergeId}/Accept', summary: 'The Candidate Owner accepts: everything moves to the Prime, this organization ends (M2, M3)', tags: TAGS,
      access: 'member-session:write', auth: 'principal', errors: 'orgward', params: mergeParams, headers: [IDEMPOTENCY_HEADER],
      responses: { 200: { description: 'What moved', schema: MergeResultResource } },
      async handler({ params, principal, req }) {
        return idempotent(services, req, principal, {}, async () => ({
          status: 200, body: toResult(await services.merges.acceptInvitation(principal.actor, params.OrganizationSid, params.MergeId)),
        }));
      },
    }),

    defineRoute({
      method: 'post', path: '/Organizations/{OrganizationSid}/IncomingMerges/{MergeId}/Decline', summary: 'The Candidate Owner declines; nothing else changes (M1)', tags: TAGS,
      access: 'member-session:write', auth: 'principal', errors: 'orgward', params: mergeParams, headers: [IDEMPOTENCY_HEADER],
      responses: { 200: { description: 'Declined', schema: z.object({ id: MergeId, status: z.literal('declined'), prime_organization_sid: OrganizationSid }) } },
      async handler({ params, principal, req }) {
        return idempotent(services, req, principal, {}, async () => {
          const declined = await services.mergeLinks.declineInvitation(principal.actor, params.OrganizationSid, params.MergeId);
          return { status: 200, body: { id: declined.mergeId, status: 'declined' as const, prime_organization_sid: declined.primeOrgSid } };
        });
      },
    }),
  ];
}
