/**
 * Role enforcement on every route (issue 10: "roles are enforced on every route"; O2, O3, U6):
 * walks every route of the registry (the same list /openapi.json is made from) as the Owner's
 * session, an Administrator's session, a Standard User's session, an admin API client and a
 * read-only API client, and checks each outcome against the table below. A route missing from the
 * table fails the test: a new route cannot be added without saying who may call it. A refused
 * caller gets 403 `forbidden` whatever the body; an allowed one is never 401 or 403 (with sample
 * path values it gets its answer: 200, 400 for the empty body, 404 for a sample SID, …).
 */
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { allRoutes } from '../../../src/http/api/index.js';
import type { ApiRoute } from '../../../src/http/api/registry.js';
import { roleCallers, type Caller, type RoleCallers } from './role-callers.js';

let ctx: TestContext;
let r: RoleCallers;
beforeAll(async () => {
  ctx = await createTestContext();
  r = await roleCallers(ctx, 'walk.example');
});
afterAll(() => ctx.close());

/**
 * Who may call each route: `member` (also a Standard User, whom the services then narrow to what
 * is theirs), `member-session` (the same, in person only: a merge invitation is answered by the
 * Candidate's Owner, whom the services pick out), `admin` (Owner and Administrators, admin clients), `owner` (the Owner's console
 * session), `admin-session` (the Owner and Administrators in person: API clients never manage API
 * clients), `operator`, `client` (API clients only: Twilio's SCIM entry); `:read` routes are also
 * open to read-only clients.
 */
const EXPECTED: Record<string, `${'member' | 'member-session' | 'admin' | 'admin-session' | 'owner' | 'operator' | 'client'}:${'read' | 'write'}`> = {
  'POST /Organizations': 'operator:write',
  'GET /Organizations/{OrganizationSid}': 'member:read',
  'POST /Organizations/{OrganizationSid}': 'admin:write',
  'POST /Organizations/{OrganizationSid}/OwnerTransfer': 'owner:write',
  'GET /Organizations/{OrganizationSid}/Accounts': 'member:read',
  'POST /Organizations/{OrganizationSid}/Accounts': 'member:write',
  'GET /Organizations/{OrganizationSid}/Accounts/{AccountSid}': 'member:read',
  'POST /Organizations/{OrganizationSid}/Accounts/{AccountSid}': 'member:write',
  'POST /Organizations/{OrganizationSid}/AccountImports': 'admin:write',
  'POST /Organizations/{OrganizationSid}/Accounts/{AccountSid}/Owner': 'admin:write',
  'POST /Organizations/{OrganizationSid}/Accounts/{AccountSid}/Independence': 'admin:write',
  'POST /Organizations/{OrganizationSid}/Accounts/{AccountSid}/Upgrade': 'operator:write',
  'POST /Organizations/{OrganizationSid}/Accounts/{AccountSid}/Hipaa': 'admin:write',
  'GET /Organizations/{OrganizationSid}/Accounts/{AccountSid}/Subaccounts': 'member:read',
  'POST /Organizations/{OrganizationSid}/Accounts/{AccountSid}/Subaccounts': 'member:write',
  'GET /Organizations/{OrganizationSid}/AccountLimits': 'member:read',
  'GET /Organizations/{OrganizationSid}/ApiClients': 'admin-session:read',
  'POST /Organizations/{OrganizationSid}/ApiClients': 'admin-session:write',
  'DELETE /Organizations/{OrganizationSid}/ApiClients/{ClientId}': 'admin-session:write',
  'GET /Organizations/{OrganizationSid}/AuditLog': 'admin:read',
  'GET /Organizations/{OrganizationSid}/AuditLog.csv': 'admin:read',
  'GET /Organizations/{OrganizationSid}/Domains': 'admin:read',
  'POST /Organizations/{OrganizationSid}/Domains': 'admin:write',
  'GET /Organizations/{OrganizationSid}/Domains/{Domain}': 'admin:read',
  'POST /Organizations/{OrganizationSid}/Domains/{Domain}': 'admin:write',
  'POST /Organizations/{OrganizationSid}/Domains/{Domain}/Verification': 'admin:write',
  'POST /Organizations/{OrganizationSid}/Domains/{Domain}/SsoEnforcement': 'admin:write',
  'DELETE /Organizations/{OrganizationSid}/Domains/{Domain}': 'admin:write',
  'GET /Organizations/{OrganizationSid}/Invitations': 'admin:read',
  'POST /Organizations/{OrganizationSid}/Invitations': 'admin:write',
  'DELETE /Organizations/{OrganizationSid}/Invitations/{InvitationId}': 'admin:write',
  'POST /Organizations/{OrganizationSid}/Invitations/{InvitationId}/Resend': 'admin:write',
  'GET /Organizations/{OrganizationSid}/Merges': 'admin:read',
  'POST /Organizations/{OrganizationSid}/Merges': 'admin:write',
  'GET /Organizations/{OrganizationSid}/Merges/{MergeId}': 'admin:read',
  'DELETE /Organizations/{OrganizationSid}/Merges/{MergeId}': 'admin:write',
  'GET /Organizations/{OrganizationSid}/IncomingMerges': 'member-session:read',
  'GET /Organizations/{OrganizationSid}/IncomingMerges/{MergeId}': 'member-session:read',
  'POST /Organizations/{OrganizationSid}/IncomingMerges/{MergeId}/Accept': 'member-session:write',
  'POST /Organizations/{OrganizationSid}/IncomingMerges/{MergeId}/Decline': 'member-session:write',
  'GET /Organizations/{OrganizationSid}/RoleAssignments': 'member:read',
  'POST /Organizations/{OrganizationSid}/RoleAssignments': 'admin:write',
  'DELETE /Organizations/{OrganizationSid}/RoleAssignments/{RoleAssignmentSid}': 'admin:write',
  'GET /Organizations/{OrganizationSid}/Roles': 'member:read',
  'POST /v1/Roles': 'operator:write',
  'POST /v1/Roles/{RoleSid}': 'operator:write',
  'GET /Organizations/{OrganizationSid}/ScimTokens': 'admin:read',
  'POST /Organizations/{OrganizationSid}/ScimTokens': 'admin:write',
  'DELETE /Organizations/{OrganizationSid}/ScimTokens/{TokenId}': 'admin:write',
  'GET /Organizations/{OrganizationSid}/ScimGroupMappings': 'admin:read',
  'PUT /Organizations/{OrganizationSid}/ScimGroupMappings/{Group}': 'admin:write',
  'POST /Organizations/{OrganizationSid}/ScimGroupMappings/{Group}/Preview': 'admin:read',
  'DELETE /Organizations/{OrganizationSid}/ScimGroupMappings/{Group}': 'admin:write',
  'GET /Organizations/{OrganizationSid}/scim/Users': 'client:read',
  'POST /Organizations/{OrganizationSid}/scim/Users': 'client:write',
  'GET /Organizations/{OrganizationSid}/scim/Users/{UserSid}': 'client:read',
  'PUT /Organizations/{OrganizationSid}/scim/Users/{UserSid}': 'client:write',
  'PATCH /Organizations/{OrganizationSid}/scim/Users/{UserSid}': 'client:write',
  'DELETE /Organizations/{OrganizationSid}/scim/Users/{UserSid}': 'client:write',
  'GET /Organizations/{OrganizationSid}/SsoConnections': 'admin:read',
  'POST /Organizations/{OrganizationSid}/SsoConnections': 'admin:write',
  'GET /Organizations/{OrganizationSid}/SsoConnections/{ConnectionId}': 'admin:read',
  'POST /Organizations/{OrganizationSid}/SsoConnections/{ConnectionId}': 'admin:write',
  'DELETE /Organizations/{OrganizationSid}/SsoConnections/{ConnectionId}': 'admin:write',
  'GET /Organizations/{OrganizationSid}/SsoConnections/{ConnectionId}/Metadata': 'admin:read',
  'POST /Organizations/{OrganizationSid}/SsoConnections/{ConnectionId}/Tests': 'admin:write',
  'GET /Organizations/{OrganizationSid}/SsoConnections/{ConnectionId}/Tests/Last': 'admin:read',
  'GET /Organizations/{OrganizationSid}/SetupLinks': 'admin:read',
  'POST /Organizations/{OrganizationSid}/SetupLinks': 'admin:write',
  'DELETE /Organizations/{OrganizationSid}/SetupLinks/{SetupLinkSid}': 'admin:write',
  'GET /Organizations/{OrganizationSid}/UserImports': 'admin:read',
  'POST /Organizations/{OrganizationSid}/UserImports': 'admin:write',
  'POST /v1/AccessChecks': 'admin:read',
  'POST /v1/AccessChecks/Batch': 'admin:read',
  'GET /v1/AccessChecks/Accounts': 'admin:read',
  'GET /v1/Events': 'operator:read',
  'GET /Organizations/{OrganizationSid}/Events': 'admin:read',
  'POST /v1/Webhooks': 'operator:write',
  'GET /v1/Webhooks': 'operator:read',
  'DELETE /v1/Webhooks/{WebhookSid}': 'operator:write',
  'POST /v1/Webhooks/{WebhookSid}/Secret': 'operator:write',
  'POST /v1/Webhooks/{WebhookSid}/Enable': 'operator:write',
  'GET /v1/Webhooks/{WebhookSid}/Deliveries': 'operator:read',
  'POST /v1/Webhooks/{WebhookSid}/Replay': 'operator:write',
  'POST /v1/Apps': 'operator:write',
  'GET /v1/Apps': 'operator:read',
  'DELETE /v1/Apps/{ClientId}': 'operator:write',
  'POST /Organizations/{OrganizationSid}/Webhooks': 'admin:write',
  'GET /Organizations/{OrganizationSid}/Webhooks': 'admin:read',
  'DELETE /Organizations/{OrganizationSid}/Webhooks/{WebhookSid}': 'admin:write',
  'POST /Organizations/{OrganizationSid}/Webhooks/{WebhookSid}/Secret': 'admin:write',
  'POST /Organizations/{OrganizationSid}/Webhooks/{WebhookSid}/Enable': 'admin:write',
  'GET /Organizations/{OrganizationSid}/Webhooks/{WebhookSid}/Deliveries': 'admin:read',
  'POST /Organizations/{OrganizationSid}/Webhooks/{WebhookSid}/Replay': 'admin:write',
  'GET /Organizations/{OrganizationSid}/UserImports/{ImportId}': 'admin:read',
  'GET /Organizations/{OrganizationSid}/UserImports/{ImportId}/Report': 'admin:read',
  'GET /Organizations/{OrganizationSid}/Users': 'admin:read',
  'GET /Organizations/{OrganizationSid}/Users/{UserSid}': 'member:read',
  'POST /Organizations/{OrganizationSid}/Users/{UserSid}': 'member:write',
  'DELETE /Organizations/{OrganizationSid}/Users/{UserSid}': 'admin:write',
  'POST /Organizations/{OrganizationSid}/Users/{UserSid}/PasswordReset': 'admin:write',
  'POST /Organizations/{OrganizationSid}/Users/{UserSid}/SecondFactorReset': 'admin:write',
  'POST /Organizations/{OrganizationSid}/Users/{UserSid}/Accounts': 'admin:write',
  'DELETE /Organizations/{OrganizationSid}/Users/{UserSid}/Accounts/{AccountSid}': 'admin:write',
};

const WALKED = ['owner', 'admin', 'standard', 'adminClient', 'readOnlyClient'] as const satisfies readonly Caller[];

/** Whether `caller` may call a route of `expected` access. */
function allowed(caller: (typeof WALKED)[number], expected: string): boolean {
  const [who, mode] = expected.split(':') as [string, string];
  const client = caller === 'adminClient' || caller === 'readOnlyClient';
  if (who === 'operator') return false;
  if (caller === 'readOnlyClient' && mode === 'write') return false;
  if (who === 'client') return client;
  if (who === 'owner') return caller === 'owner';
  if (who === 'member-session') return !client;
  if (who === 'admin-session') return caller === 'owner' || caller === 'admin';
  if (who === 'admin') return caller !== 'standard';
  return true;
}

const hex = (c: string) => c.repeat(32);
/** A value of each path parameter that its schema accepts (the Standard User's own SID for users). */
function sampleUrl(route: ApiRoute): string {
  const shape = route.params?.shape ?? {};
  return route.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    if (name === 'OrganizationSid') return r.org.org.sid;
    // The Standard User's own SID where they may read or change themselves; a stranger's elsewhere
    // (the walk must not remove the users it walks as).
    const self = route.path === '/Organizations/{OrganizationSid}/Users/{UserSid}' && route.method !== 'delete';
    const candidates = [self ? r.standard.sid : `US${hex('e')}`, `AC${hex('b')}`, `OQ${hex('c')}`, `IY${hex('d')}`, '3b241101-e2bb-4255-8caf-4136c566a962', 'walk.example', 'engineering', `WH${hex('f')}`, `AP${hex('a')}`, `IX${hex('a')}`, `SL${hex('5')}`];
    const schema = (shape as Record<string, { safeParse(v: unknown): { success: boolean } }>)[name];
    const value = candidates.find((c) => schema === undefined || schema.safeParse(c).success);
    if (value === undefined) throw new Error(`No sample for {${name}} of ${route.path}`);
    return value;
  });
}

/**
 * An empty body, except on Twilio's SCIM entry, whose engine checks the body before the caller's
 * role: a valid SCIM body there, so a refused caller meets the role check.
 */
let scimUsers = 0;
function bodyFor(route: ApiRoute): object {
  if (!route.path.includes('/scim/')) return {};
  if (route.method === 'patch') return { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: true }] };
  return { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `walk${++scimUsers}@walk.example` };
}

describe('role enforcement on every route (O2, O3, U6; issue 10)', () => {
  const routes = () => allRoutes(ctx.services, ctx.baseUrl).filter((route) => route.path !== '/v1/token');

  it('every registered route is in the table, and declares the access the table gives it', () => {
    const keys = routes().map((route) => `${route.method.toUpperCase()} ${route.path}`);
    expect(keys.filter((k) => !(k in EXPECTED))).toEqual([]);
    expect(Object.keys(EXPECTED).filter((k) => !keys.includes(k))).toEqual([]);
    for (const route of routes()) {
      const expected = EXPECTED[`${route.method.toUpperCase()} ${route.path}`]!;
      expect({ route: route.path, method: route.method, access: route.access }).toEqual({ route: route.path, method: route.method, access: expected.replace(/^client:/, 'admin:') });
    }
  });

  it.each(WALKED)('O3: %s gets 403 exactly where the table refuses it, on every route', async (caller) => {
    const wrong: string[] = [];
    for (const route of routes()) {
      const key = `${route.method.toUpperCase()} ${route.path}`;
      const expectAllowed = allowed(caller, EXPECTED[key]!);
      let req = request(ctx.app)[route.method](sampleUrl(route)).set(r.headers(caller));
      if (route.method !== 'get' && route.method !== 'delete') req = req.send(bodyFor(route));
      const res = await req;
      const refused = res.status === 403;
      if (res.status === 401 || res.status >= 500 || refused === expectAllowed) wrong.push(`${key}: ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('R-U6: a client of another organization gets 404 on every route of this one, never 403', async () => {
    const wrong: string[] = [];
    // Routes of this organization: those under its SID (product-wide /v1 routes are the operator's or checked by body).
    for (const route of routes().filter((rt) => rt.path.includes('{OrganizationSid}'))) {
      let req = request(ctx.app)[route.method](sampleUrl(route)).set(r.headers('otherOrgClient'));
      if (route.method !== 'get' && route.method !== 'delete') req = req.send({});
      const res = await req;
      // 400 when the empty body is refused before the organization is looked up.
      if (res.status !== 404 && res.status !== 400) wrong.push(`${route.method.toUpperCase()} ${route.path}: ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });
});
