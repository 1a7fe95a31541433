/** Helpers of the organization, users and invitations API tests: callers of every kind, response checks. */
import request from 'supertest';
import type { TestContext } from '../../support/app.js';
import { addMember, createOrgWithOwner, type OrgWithOwner } from '../../support/fixtures.js';
import { allRoutes } from '../../../src/http/api/index.js';
import type { HttpMethod } from '../../../src/http/api/registry.js';
import type { Member } from '../../../src/types.js';
import { apiClient, tokenFor } from './support.js';

/** Request headers that authenticate one kind of caller. */
export type Caller = Readonly<Record<string, string>>;

export interface OrgCallers {
  readonly org: OrgWithOwner;
  readonly admin: Member;
  readonly standard: Member;
  /** Console sessions (with the CSRF pair writes need). */
  readonly ownerSession: Caller;
  readonly adminSession: Caller;
  readonly standardSession: Caller;
  /** Bearer tokens of an admin and a read-only API client. */
  readonly adminClient: Caller;
  readonly readOnlyClient: Caller;
}

const CSRF = 'csrf-test-token';

/** A signed-in console session of `userSid`, able to write (CSRF cookie and header). */
export async function sessionOf(ctx: TestContext, userSid: string): Promise<Caller> {
  const session = await ctx.store.transaction((repos) => ctx.services.sessions.issue(repos, { userSid, method: 'password', passwordChangedAt: null }));
  return { Cookie: `orgward_session=${session.token}; orgward_csrf=${CSRF}`, 'X-CSRF-Token': CSRF };
}

export const bearer = (token: string): Caller => ({ Authorization: `Bearer ${token}` });

/** An organization with an Administrator and a Standard User, and a caller of every kind. */
export async function orgWithCallers(ctx: TestContext, domain: string): Promise<OrgCallers> {
  const org = await createOrgWithOwner(ctx, { ownerEmail: `owner@${domain}` });
  const admin = await addMember(ctx, org.org.sid, `admin@${domain}`, 'admin');
  const standard = await addMember(ctx, org.org.sid, `standard@${domain}`, 'standard');
  return {
    org, admin, standard,
    ownerSession: await sessionOf(ctx, org.owner.sid),
    adminSession: await sessionOf(ctx, admin.sid),
    standardSession: await sessionOf(ctx, standard.sid),
    adminClient: bearer(await tokenFor(ctx, await apiClient(ctx, org.ownerActor, org.org.sid, 'admin'))),
    readOnlyClient: bearer(await tokenFor(ctx, await apiClient(ctx, org.ownerActor, org.org.sid, 'read-only'))),
  };
}

/** An operator client's bearer token. */
export async function operatorCaller(ctx: TestContext): Promise<Caller> {
  return bearer(await tokenFor(ctx, await ctx.services.apiClients.createOperatorClient({ kind: 'operator' }, { name: 'ops' })));
}

/** Sends a request as `caller`; the response body is checked against the route's documented schema. */
export async function call(ctx: TestContext, caller: Caller, method: HttpMethod, path: string, url: string, body?: object) {
  let req = request(ctx.app)[method](url).set(caller);
  if (body !== undefined) req = req.send(body);
  const res = await req;
  const route = allRoutes(ctx.services, ctx.baseUrl).find((r) => r.path === path && r.method === method);
  if (!route) throw new Error(`No route ${method} ${path}`);
  const schema = route.responses[res.status]?.schema;
  if (schema) {
    const parsed = schema.safeParse(res.body);
    if (!parsed.success) throw new Error(`${method} ${url} ${res.status}: body does not match the document: ${JSON.stringify(parsed.error.issues)}`);
  }
  return res;
}
