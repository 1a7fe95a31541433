/**
 * The official `twilio` npm package as the client (issue 10): its previewIam client, pointed at a
 * local Orgward by an httpClient that sends every Twilio URL to our server, obtains a token from
 * POST /v1/token, lists and fetches accounts, creates, lists and deletes role assignments, and raises
 * readable errors (a foreign account, the Owner as an assignee).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { createTestContext, type TestContext } from '../../support/app.js';
import { BUILT_IN_ROLE_SIDS } from '../../../src/rules/role-catalogue.js';
import { addAccount, addMember, addVerifiedDomain, createOrgWithOwner, type OrgWithOwner } from '../../support/fixtures.js';
import { apiClient } from './support.js';

let ctx: TestContext;
let server: http.Server;
let local: string;
let a: OrgWithOwner;

beforeAll(async () => {
  ctx = await createTestContext();
  server = http.createServer(ctx.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  local = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  a = await createOrgWithOwner(ctx, { ownerEmail: 'owner@sdk.example' });
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await ctx.close();
});

/** The SDK's own RequestClient, with every request's origin replaced by the local server's. */
function localHttpClient() {
  const real = new twilio.RequestClient();
  return {
    request(opts: Parameters<typeof real.request>[0]) {
      const url = new URL(opts.uri);
      return real.request({ ...opts, uri: `${local}${url.pathname}${url.search}` });
    },
  } as unknown as InstanceType<typeof twilio.RequestClient>;
}

/** A client authenticated as the API client: tokens come from previewIam.v1.token (POST /v1/token). */
function sdkClient(clientId: string, clientSecret: string) {
  const tokens = new twilio.Twilio(undefined, undefined, { httpClient: localHttpClient() });
  tokens.setCredentialProvider(new twilio.NoAuthCredentialProvider());
  let fetched = 0;
  const tokenManager = {
    getParams: () => ({ grantType: 'client_credentials', clientId, clientSecret }),
    async fetchToken() {
      fetched += 1;
      const token = await tokens.previewIam.v1.token.create({ grantType: 'client_credentials', clientId, clientSecret });
      return token.accessToken;
    },
  };
  const provider = new twilio.OrgsCredentialProviderBuilder().setClientId(clientId).setClientSecret(clientSecret)
    .setTokenManager(tokenManager as never).build();
  const client = new twilio.Twilio(undefined, undefined, { httpClient: localHttpClient() });
  client.setCredentialProvider(provider);
  return { client, fetched: () => fetched };
}

it('obtains a token, lists and fetches accounts through previewIam', async () => {
  const accounts = [];
  for (let i = 0; i < 3; i++) accounts.push(await addAccount(ctx, { orgSid: a.org.sid, ownerSid: a.owner.sid, name: `SDK ${i}` }));
  const { clientId, clientSecret } = await apiClient(ctx, a.ownerActor, a.org.sid, 'read-only');
  const { client, fetched } = sdkClient(clientId, clientSecret);
  const organization = client.previewIam.organization(a.org.sid);

  // pageSize 2 makes the SDK follow meta.next_page_url.
  const listed = await organization.accounts.list({ pageSize: 2 });
  expect(listed.map((x) => x.accountSid).sort()).toEqual(accounts.map((x) => x.sid).sort());
  expect(listed[0]).toMatchObject({ ownerSid: a.owner.sid, status: 'active' });
  expect(listed[0]!.dateCreated).toBeInstanceOf(Date);

  const one = await organization.accounts(accounts[1]!.sid).fetch();
  expect(one).toMatchObject({ accountSid: accounts[1]!.sid, friendlyName: 'SDK 1', ownerSid: a.owner.sid });
  // The SDK asked our /v1/token (it builds a new auth strategy, hence a token, per request).
  expect(fetched()).toBeGreaterThanOrEqual(1);
});

it('raises a RestException with Orgward\'s code and message for an account outside the organization', async () => {
  const other = await createOrgWithOwner(ctx, { ownerEmail: 'owner@other.example' });
  const foreign = await addAccount(ctx, { orgSid: other.org.sid, ownerSid: other.owner.sid, name: 'Foreign' });
  const { clientId, clientSecret } = await apiClient(ctx, a.ownerActor, a.org.sid, 'admin');
  const { client } = sdkClient(clientId, clientSecret);
  const error = await client.previewIam.organization(a.org.sid).accounts(foreign.sid).fetch().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(twilio.RestException);
  expect(error).toMatchObject({ status: 404, code: 'not_found', message: `No account ${foreign.sid} in organization ${a.org.sid}.`, moreInfo: expect.stringContaining('/docs') });
});

it('creates, lists and deletes a role assignment through previewIam, and raises owner_required for the Owner (O2)', async () => {
  const user = await addMember(ctx, a.org.sid, 'member@sdk.example');
  const account = await addAccount(ctx, { orgSid: a.org.sid, ownerSid: a.owner.sid, name: 'SDK roles' });
  const { clientId, clientSecret } = await apiClient(ctx, a.ownerActor, a.org.sid, 'admin');
  const { client } = sdkClient(clientId, clientSecret);
  const assignments = client.previewIam.organization(a.org.sid).roleAssignments;
  const developer = BUILT_IN_ROLE_SIDS.account.Developer;

  // The SDK's typed request spells the role roleSid (and sends it so); the spec's role_sid is tested over supertest.
  const created = await assignments.create({ roleSid: developer, scope: account.sid, identity: user.sid });
  expect(created).toMatchObject({ sid: expect.stringMatching(/^IY[0-9a-f]{32}$/), roleSid: developer, scope: account.sid, identity: user.sid });

  // pageSize 1 makes the SDK follow meta.next_page_url (the organization role, then the account role).
  const listed = await assignments.list({ identity: user.sid, pageSize: 1 });
  expect(listed.map((x) => x.sid)).toContain(created.sid);
  expect(listed).toHaveLength(2);

  expect(await assignments(created.sid).remove()).toBe(true);
  expect(await assignments.list({ scope: account.sid })).toEqual([]);

  const error = await assignments.create({ roleSid: BUILT_IN_ROLE_SIDS.organization['Standard User'], scope: a.org.sid, identity: a.owner.sid }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(twilio.RestException);
  expect(error).toMatchObject({ status: 409, code: 'owner_required', moreInfo: expect.stringContaining('/docs') });
});

it('R-C2, R-C3, R-C4: creates, lists with a filter, patches and deletes a SCIM user through previewIam', async () => {
  await addVerifiedDomain(ctx, a.org.sid, 'sdk.example');
  const { clientId, clientSecret } = await apiClient(ctx, a.ownerActor, a.org.sid, 'admin');
  const { client } = sdkClient(clientId, clientSecret);
  const users = client.previewIam.organization(a.org.sid).users;
  const created = await users.create({ userName: 'ana@sdk.example', name: { givenName: 'Ana', familyName: 'Lima' }, active: true } as never);
  expect(created.id).toMatch(/^US[0-9a-f]{32}$/);
  expect(created).toMatchObject({ userName: 'ana@sdk.example', active: true });
  await users.create({ userName: 'bo@sdk.example', active: true } as never);

  const listed = await users.list({ filter: 'userName eq "ana@sdk.example"' });
  expect(listed.map((u) => u.id)).toEqual([created.id]);
  const all = await users.list();
  expect(all.map((u) => u.userName)).toEqual(expect.arrayContaining(['ana@sdk.example', 'bo@sdk.example', 'owner@sdk.example']));

  const patched = await users(created.id).patch({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] } as never);
  expect(patched.active).toBe(false);
  expect((await ctx.services.members.get(a.ownerActor, a.org.sid, created.id)).status).toBe('suspended');

  expect(await users(created.id).remove()).toBe(true);
  const gone = await users(created.id).fetch().catch((e: unknown) => e);
  expect(gone).toBeInstanceOf(twilio.RestException);
  expect(gone).toMatchObject({ status: 404, code: 'not_found' });
});
