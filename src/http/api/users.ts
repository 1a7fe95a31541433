/**
 * Users of an organization over the API (issue 10): list with search and filters (keyset paging
 * in Twilio's envelope), fetch, change role or status (O2, O3, C3), remove (C4), the
 * administrator password and 2FA resets (U3, U4) and direct account grants (O3, A7). Every
 * decision is the services' (O3, U6): an Administrator, or an admin API client, cannot act on the
 * Owner's user; a user of another organization is 404. Orgward-only resource: Orgward's errors.
 */
import type { Request } from 'express';
import { z } from 'zod';
import { DomainError } from '../../errors.js';
import type { Services } from '../../services/index.js';
import type { MemberDetail } from '../../services/members.js';
import { SIGN_IN_METHODS, type MemberCursor } from '../../store/member-search.js';
import type { Member } from '../../types.js';
import { defineRoute, type ApiRoute } from './registry.js';
import { AccountSid, OrganizationSid, UserSid, twilioPage, twilioPaging } from './schemas.js';
import { checkIfMatch, etagOf, idempotent, IDEMPOTENCY_HEADER, IF_MATCH_HEADER } from './preconditions.js';

const TAGS = ['Users'];
const Role = z.enum(['owner', 'admin', 'standard']);
const Status = z.enum(['active', 'suspended']);

export const UserResource = z.object({
  user_sid: UserSid,
  email: z.string(),
  friendly_name: z.string().nullable(),
  given_name: z.string().nullable(),
  family_name: z.string().nullable(),
  role: Role.nullable(),
  status: Status,
  date_created: z.iso.datetime(),
  date_updated: z.iso.datetime(),
});

export const UserDetailResource = UserResource.extend({
  account_sids: z.array(AccountSid).describe('Accounts granted to the user (directly or through SCIM groups).'),
  sign_in: z.object({
    password: z.boolean().describe('A password is set (never the password itself).'),
    second_factor: z.boolean(),
    second_factor_required: z.boolean().describe('U4: a second factor must be enrolled at the next sign-in.'),
    sso: z.array(z.object({ connection_id: z.string().nullable(), issuer: z.string(), last_sign_in_at: z.iso.datetime().nullable() })),
  }),
});

const toUserResource = (m: Member): z.infer<typeof UserResource> => ({
  user_sid: m.sid, email: m.email, friendly_name: m.displayName, given_name: m.givenName, family_name: m.familyName,
  role: m.role, status: m.status, date_created: m.createdAt.toISOString(), date_updated: m.updatedAt.toISOString(),
});

const toDetail = (m: MemberDetail): z.infer<typeof UserDetailResource> => ({
  ...toUserResource(m),
  account_sids: [...m.grantedAccountSids],
  sign_in: {
    password: m.signIn.password, second_factor: m.signIn.secondFactor, second_factor_required: m.signIn.secondFactorRequired,
    sso: m.signIn.sso.map((s) => ({ connection_id: s.connectionId, issuer: s.issuer, last_sign_in_at: s.lastSignInAt?.toISOString() ?? null })),
  },
});

/** What the ETag of a user covers: what an update can change (role, status) and who it is. */
const versionOf = (m: Member) => ({ user_sid: m.sid, email: m.email, role: m.role, status: m.status });

/** A guard for the next change: the first compares with If-Match, later ones with the state the previous change left. */
function guardFrom(req: Request) {
  let expected: Member | undefined;
  return {
    check: (locked: Member) => {
      if (expected === undefined) return checkIfMatch(req, versionOf(locked));
      if (etagOf(versionOf(locked)) !== etagOf(versionOf(expected))) {
        throw new DomainError('precondition_failed', 'The user changed while this request ran. Read it again and retry with the new ETag.', { details: { httpStatus: 412 } });
      }
    },
    changed: (member: Member) => { expected = member; },
  };
}

// The page token: the page number and the cursor (keyset, never an offset): where the previous page
// ended ('email', 'name'), or, for previous_page_url, the member the page ends before ('<email', '<name').
const Cursor = z.union([
  z.tuple([z.number().int().min(0), z.enum(['email', '<email']), z.string().max(4000)]),
  z.tuple([z.number().int().min(0), z.enum(['name', '<name']), z.string().max(4000), z.string().max(34)]),
]);

type Direction = 'after' | 'before';

function readToken(token: string | undefined): { page: number; cursor?: { [D in Direction]?: MemberCursor } } {
  if (token === undefined) return { page: 0 };
  let parsed: z.infer<typeof Cursor> | undefined;
  try {
    const result = Cursor.safeParse(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')));
    if (result.success) parsed = result.data;
  } catch { /* not JSON: refused below */ }
  if (!parsed) throw new DomainError('invalid_input', 'PageToken is not one this API issued; follow meta.next_page_url or leave it out for the first page.');
  const direction: Direction = parsed[1].startsWith('<') ? 'before' : 'after';
  const cursor: MemberCursor = parsed.length === 3 ? { phase: 'email', key: parsed[2] } : { phase: 'name', key: parsed[2], sid: parsed[3] };
  return { page: parsed[0], cursor: { [direction]: cursor } };
}

const writeToken = (page: number, c: MemberCursor, direction: Direction = 'after'): string => {
  const tag = direction === 'before' ? `<${c.phase}` : c.phase;
  return Buffer.from(JSON.stringify(c.phase === 'email' ? [page, tag, c.key] : [page, tag, c.key, c.sid])).toString('base64url');
};

const SID_SEARCH = /^US[0-9a-f]{32}$/i;

const orgParams = z.strictObject({ OrganizationSid });
const userParams = z.strictObject({ OrganizationSid, UserSid });

export function userRoutes(services: Services, baseUrl: string): ApiRoute[] {
  const detail = async (actor: Parameters<Services['members']['detail']>[0], orgSid: string, userSid: string) =>
    services.members.detail(actor, orgSid, userSid).catch((error: unknown) => {
      // Never names another organization: only what the caller asked for.
      if (error instanceof DomainError && error.code === 'not_found') throw new DomainError('not_found', `No user ${userSid} in organization ${orgSid}.`);
      throw error;
    });
  const etagBody = (m: MemberDetail) => ({ status: 200, body: toDetail(m), headers: { ETag: etagOf(versionOf(m)) } });

  return [
    defineRoute({
      method: 'get', path: '/Organizations/{OrganizationSid}/Users', summary: "List the organization's users: search, filter, page", tags: TAGS,
      access: 'admin:read', auth: 'principal', errors: 'orgward', params: orgParams,
      query: z.strictObject({
        Search: z.string().trim().min(1).max(320).optional().describe('A user SID (exact), or the start of an email address or display name (case-insensitive).'),
        Role: Role.optional().describe('Only users with this organization role.'),
        Status: Status.optional().describe('Only active or only suspended users.'),
        SignInMethod: z.enum(SIGN_IN_METHODS).optional().describe('Only users who can sign in through SSO (an identity from the IdP), or with a password.'),
        ...twilioPaging,
        // Longer than Twilio's: the token carries the last email or display name of the page.
        PageToken: z.string().max(12_000).optional().describe('The token of the page to fetch, from meta.next_page_url or meta.previous_page_url.'),
      }),
      responses: { 200: { description: 'A page of users: email matches in email order, then display-name matches', schema: twilioPage(UserResource) } },
      async handler({ params, query, principal }) {
        const { page, cursor } = readToken(query.PageToken);
        const search = query.Search;
        const found = await services.members.search(principal.actor, params.OrganizationSid, {
          ...(search !== undefined && (SID_SEARCH.test(search) ? { sid: `US${search.slice(2).toLowerCase()}` } : { prefix: search })),
          ...(query.Role !== undefined && { role: query.Role }),
          ...(query.Status !== undefined && { status: query.Status }),
          ...(query.SignInMethod !== undefined && { signIn: query.SignInMethod }),
          ...cursor,
          limit: query.PageSize,
        });
        const url = `${baseUrl}/Organizations/${params.OrganizationSid}/Users`;
        const link = (token?: string) => {
          const q = new URLSearchParams({ PageSize: String(query.PageSize) });
          if (search !== undefined) q.set('Search', search);
          if (query.Role !== undefined) q.set('Role', query.Role);
          if (query.Status !== undefined) q.set('Status', query.Status);
          if (query.SignInMethod !== undefined) q.set('SignInMethod', query.SignInMethod);
          if (token !== undefined) q.set('PageToken', token);
          return `${url}?${q.toString()}`;
        };
        return {
          status: 200,
          body: {
            content: found.members.map(toUserResource),
            meta: {
              first_page_url: link(), key: 'content' as const,
              next_page_url: found.next ? link(writeToken(page + 1, found.next)) : null,
              page, page_size: query.PageSize,
              // The PageSize users before this page's first (keyset paging read backwards).
              previous_page_url: page > 0 && found.previous ? link(writeToken(page - 1, found.previous, 'before')) : null,
              url: link(query.PageToken),
            },
          },
        };
      },
    }),

    defineRoute({
      method: 'get', path: '/Organizations/{OrganizationSid}/Users/{UserSid}', summary: 'Fetch one user: role, status, account grants, sign-in methods', tags: TAGS,
      access: 'member:read', auth: 'principal', errors: 'orgward', params: userParams,
      responses: { 200: { description: 'The user', schema: UserDetailResource } },
      async handler({ params, principal }) {
        return etagBody(await detail(principal.actor, params.OrganizationSid, params.UserSid));
      },
    }),

    defineRoute({
      method: 'post', path: '/Organizations/{OrganizationSid}/Users/{UserSid}', summary: 'Change a user\'s role (O2, O3) or suspend / reactivate them (C3)', tags: TAGS,
      access: 'member:write', auth: 'principal', errors: 'orgward', params: userParams,
      // One change per request: a role and a status change are separate transactions in the
      // services, so asking for both at once could keep the first when the second is refused.
      body: z.strictObject({
        role: z.enum(['admin', 'standard']).optional().describe('O2: the Owner role is only handed over (POST …/OwnerTransfer).'),
        status: Status.optional().describe('suspended ends every session at once (C3); active reactivates. Never the Owner.'),
      }).refine((b) => (b.role === undefined) !== (b.status === undefined), {
        // One change per request: role and status changes are separate transactions in the
        // services, so both at once could keep the first when the second is refused.
        message: 'Send either role or status: one change per request.',
      }).describe('Either `role` or `status`: one change per request.'),
      headers: [IF_MATCH_HEADER, IDEMPOTENCY_HEADER],
      responses: { 200: { description: 'The user after the change', schema: UserDetailResource } },
      async handler({ params, body, principal, req }) {
        return idempotent(services, req, principal, body, async () => {
          const { OrganizationSid: orgSid, UserSid: userSid } = params;
          const current = await detail(principal.actor, orgSid, userSid);
          checkIfMatch(req, versionOf(current));
          const guard = guardFrom(req);
          if (body.role !== undefined) guard.changed(await services.members.changeRole(principal.actor, orgSid, userSid, body.role, guard.check));
          if (body.status !== undefined) guard.changed((await services.members.setStatus(principal.actor, orgSid, userSid, body.status, guard.check)).member);
          return etagBody(await detail(principal.actor, orgSid, userSid));
        });
      },
    }),

    defineRoute({
      method: 'delete', path: '/Organizations/{OrganizationSid}/Users/{UserSid}', summary: 'Remove a user from the organization; their accounts pass to the Owner (C4)', tags: TAGS,
      access: 'admin:write', auth: 'principal', errors: 'orgward', params: userParams, headers: [IDEMPOTENCY_HEADER],
      responses: {
        200: {
          description: 'What the removal did',
          schema: z.object({ user_sid: UserSid, owner_sid: UserSid, accounts_passed_to_owner: z.array(AccountSid), sessions_revoked: z.number().int() }),
        },
      },
      async handler({ params, principal, req }) {
        return idempotent(services, req, principal, {}, async () => {
          const removed = await services.members.remove(principal.actor, params.OrganizationSid, params.UserSid);
          return {
            status: 200,
            body: { user_sid: removed.userSid, owner_sid: removed.ownerSid, accounts_passed_to_owner: [...removed.accountsPassedToOwner], sessions_revoked: removed.sessionsRevoked },
          };
        });
      },
    }),

    defineRoute({
      method: 'post', path: '/Organizations/{OrganizationSid}/Users/{UserSid}/PasswordReset', summary: 'Administrator password reset: signs the user out and mails a 24-hour link (U3)', tags: TAGS,
      access: 'admin:write', auth: 'principal', errors: 'orgward', params: userParams, headers: [IDEMPOTENCY_HEADER],
      responses: {
        200: {
          description: 'The reset is done',
          schema: z.object({ user_sid: UserSid, sessions_revoked: z.number().int(), link_expires_at: z.iso.datetime().nullable().describe('null when SSO is enforced: no link is sent (S7).') }),
        },
      },
      async handler({ params, principal, req }) {
        return idempotent(services, req, principal, {}, async () => {
          const reset = await services.passwords.adminReset(principal.actor, params.OrganizationSid, params.UserSid);
          return { status: 200, body: { user_sid: reset.userSid, sessions_revoked: reset.sessionsRevoked, link_expires_at: reset.linkExpiresAt?.toISOString() ?? null } };
        });
      },
    }),

    defineRoute({
      method: 'post', path: '/Organizations/{OrganizationSid}/Users/{UserSid}/SecondFactorReset', summary: 'Administrator 2FA reset: the user enrols a new factor at the next sign-in (U4)', tags: TAGS,
      access: 'admin:write', auth: 'principal', errors: 'orgward', params: userParams, headers: [IDEMPOTENCY_HEADER],
      responses: { 200: { description: 'The reset is done', schema: z.object({ user_sid: UserSid, had_second_factor: z.boolean() }) } },
      async handler({ params, principal, req }) {
        return idempotent(services, req, principal, {}, async () => {
          const reset = await services.twoFactor.adminReset(principal.actor, params.OrganizationSid, params.UserSid);
          return { status: 200, body: { user_sid: reset.userSid, had_second_factor: reset.hadSecondFactor } };
        });
      },
    }),

    defineRoute({
      method: 'post', path: '/Organizations/{OrganizationSid}/Users/{UserSid}/Accounts', summary: 'Grant the user access to an account of the organization (O3; never a subaccount, A7)', tags: TAGS,
      access: 'admin:write', auth: 'principal', errors: 'orgward', params: userParams,
      body: z.strictObject({ account_sid: AccountSid }), headers: [IDEMPOTENCY_HEADER],
      responses: { 200: { description: 'The grant (changed is false when it existed)', schema: z.object({ user_sid: UserSid, account_sid: AccountSid, changed: z.boolean() }) } },
      async handler({ params, body, principal, req }) {
        return idempotent(services, req, principal, body, async () => {
          const { changed } = await services.members.grantAccount(principal.actor, params.OrganizationSid, params.UserSid, body.account_sid);
          return { status: 200, body: { user_sid: params.UserSid, account_sid: body.account_sid, changed } };
        });
      },
    }),

    defineRoute({
      method: 'delete', path: '/Organizations/{OrganizationSid}/Users/{UserSid}/Accounts/{AccountSid}', summary: "Withdraw the user's direct grant on an account (grants from SCIM groups follow the groups, C5)", tags: TAGS,
      access: 'admin:write', auth: 'principal', errors: 'orgward', params: z.strictObject({ OrganizationSid, UserSid, AccountSid }), headers: [IDEMPOTENCY_HEADER],
      responses: { 200: { description: 'The grant is gone (changed is false when there was none)', schema: z.object({ user_sid: UserSid, account_sid: AccountSid, changed: z.boolean() }) } },
      async handler({ params, principal, req }) {
        return idempotent(services, req, principal, {}, async () => {
          const { changed } = await services.members.revokeAccount(principal.actor, params.OrganizationSid, params.UserSid, params.AccountSid);
          return { status: 200, body: { user_sid: params.UserSid, account_sid: params.AccountSid, changed } };
        });
      },
    }),
  ];
}
