/**
 * SCIM test helpers: an organization with a verified domain and a SCIM token, and a client that
 * sends SCIM requests to the app with that token.
 */
import request from 'supertest';
import type { RequestListener } from '../../src/app.js';
import type { DomainPolicy } from '../../src/rules/types.js';
import { addVerifiedDomain, createOrgWithOwner, OPERATOR, type OrgWithOwner } from './fixtures.js';
import type { TestContext } from './app.js';

export const SCIM = '/scim/v2';
export const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const PATCH_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const LIST_URN = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';

export interface ScimClient {
  readonly token: string;
  get(path: string): request.Test;
  post(path: string, body?: unknown): request.Test;
  put(path: string, body: unknown): request.Test;
  patch(path: string, body: unknown): request.Test;
  delete(path: string): request.Test;
}

/** Requests to `app` under /scim/v2 with the bearer token and application/scim+json. */
export function scimClient(app: RequestListener, token: string): ScimClient {
  const auth = (t: request.Test) => t.set('Authorization', `Bearer ${token}`);
  const json = (t: request.Test, body: unknown) => (body === undefined ? t : t.set('Content-Type', 'application/scim+json').send(JSON.stringify(body)));
  return {
    token,
    get: (path) => auth(request(app).get(SCIM + path)),
    post: (path, body) => json(auth(request(app).post(SCIM + path)), body),
    put: (path, body) => json(auth(request(app).put(SCIM + path)), body),
    patch: (path, body) => json(auth(request(app).patch(SCIM + path)), body),
    delete: (path) => auth(request(app).delete(SCIM + path)),
  };
}

export interface ScimOrg extends OrgWithOwner {
  readonly domain: string;
  readonly tokenId: string;
  readonly client: ScimClient;
}

let counter = 0;

/** An organization whose Owner is owner@<domain>, with <domain> verified and a SCIM token. */
export async function createScimOrg(ctx: TestContext, options: { domain?: string; policy?: DomainPolicy } = {}): Promise<ScimOrg> {
  const domain = options.domain ?? `corp${++counter}-${Math.random().toString(36).slice(2, 8)}.example`;
  const org = await createOrgWithOwner(ctx, { ownerEmail: `owner@${domain}` });
  await addVerifiedDomain(ctx, org.org.sid, domain, options.policy ?? 'restricted');
  const { id, token } = await ctx.services.scimTokens.create(OPERATOR, org.org.sid);
  return { ...org, domain, tokenId: id, client: scimClient(ctx.app, token) };
}

/** A minimal SCIM User body. */
export const userBody = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: [USER_URN], userName, name: { givenName: 'Test', familyName: 'User' }, active: true, ...extra,
});

export const patchBody = (...ops: unknown[]) => ({ schemas: [PATCH_URN], Operations: ops });
