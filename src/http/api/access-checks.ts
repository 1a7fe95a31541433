/**
 * The authorization check API (R5): `POST /v1/AccessChecks` answers one check, `POST
 * /v1/AccessChecks/Batch` up to 1,000, `GET /v1/AccessChecks/Accounts` lists the accounts where a
 * user holds a permission. Each answer names the rule and, when allowed, the assignment that
 * granted it. Callers: the operator credential (the product's back end) and an organization's API
 * clients for its own users (another organization's are 404). Orgward resource: Orgward errors.
 */
import { z } from 'zod';
import type { Services } from '../../services/index.js';
import { MAX_ACCESS_CHECKS, type AccessCheckResult, type AccessReason } from '../../services/access-checks.js';
import { defineRoute, type ApiRoute } from './registry.js';
import { AccountSid, UserSid } from './schemas.js';

const TAGS = ['Access checks'];
const Permission = z.string().min(1).max(100).describe('A permission string such as messages:send (R1).').meta({ example: 'messages:send' });

const Check = z.strictObject({ user: UserSid, account: AccountSid, permission: Permission });

const Reason = z.object({
  rule: z.string().describe('The DOMAIN.md rule that decided: R1, R2 (organization role), R3 (assignments), R5 (suspended user, inactive account, other organization).'),
  code: z.string().describe('granted, or why not: user_suspended, account_inactive, account_pending, account_outside_organization, no_role_holds_permission, unknown_user, unknown_account, invalid_permission.'),
  message: z.string(),
  grant: z.object({
    role: z.string().describe('The role SID (IX…).'),
    roleName: z.string(),
    scope: z.string().describe('The account the role is held on (a subaccount\'s parent, R4).'),
    source: z.enum(['direct', 'scim', 'organization_role']),
    assignment: z.string().nullable().describe('The role assignment SID (IY…); null for the Owner\'s and Administrators\' implicit role (R2).'),
  }).optional().describe('When allowed: the assignment that granted it.'),
});

const Result = z.object({ allowed: z.boolean(), reason: Reason });
const BatchResult = z.object({ user: z.string(), account: z.string(), permission: z.string(), allowed: z.boolean(), reason: Reason });

const answer = (r: AccessCheckResult) => ({ allowed: r.allowed, reason: r.reason satisfies AccessReason });

export function accessCheckRoutes(services: Services): ApiRoute[] {
  return [
    defineRoute({
      method: 'post', path: '/v1/AccessChecks', summary: 'May this user use this permission on this account? (R5)', tags: TAGS,
      auth: 'principal', access: 'admin:read', errors: 'orgward', body: Check,
      responses: { 200: { description: 'The decision and its reason', schema: Result }, 404: { description: 'A user or account of another organization (organization API clients)' } },
      async handler({ body, principal }) {
        const [result] = await services.accessChecks.check(principal.actor, [body]);
        return { status: 200, body: answer(result!) };
      },
    }),
    defineRoute({
      method: 'post', path: '/v1/AccessChecks/Batch', summary: `Up to ${MAX_ACCESS_CHECKS} checks in one request, answered in order`, tags: TAGS,
      auth: 'principal', access: 'admin:read', errors: 'orgward', body: z.strictObject({ checks: z.array(Check).min(1).max(MAX_ACCESS_CHECKS) }),
      responses: { 200: { description: 'One result per check, in the order asked', schema: z.object({ results: z.array(BatchResult) }) } },
      async handler({ body, principal }) {
        const results = await services.accessChecks.check(principal.actor, body.checks);
        return { status: 200, body: { results } };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/AccessChecks/Accounts', summary: 'The accounts where this user may use this permission', tags: TAGS,
      auth: 'principal', access: 'admin:read', errors: 'orgward', query: z.strictObject({ user: UserSid, permission: Permission }),
      responses: { 200: { description: 'Each account allowed, with the grant', schema: z.object({ accounts: z.array(z.object({ account: z.string(), name: z.string(), reason: Reason })) }) } },
      async handler({ query, principal }) {
        return { status: 200, body: { accounts: await services.accessChecks.accounts(principal.actor, query.user, query.permission) } };
      },
    }),
  ];
}
