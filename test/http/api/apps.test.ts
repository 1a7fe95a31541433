/**
 * The product's apps over the API (issue 13): the operator credential registers (secret shown
 * once, none for a public app), lists (never a secret) and deletes apps at /v1/Apps; the service's
 * checks answer 400 `invalid_input`; an organization's callers (admin client, read-only client,
 * Owner's session) are refused; an app registered here is one the provider knows, and a deleted
 * one it no longer knows. PostgreSQL and PGlite.
 */
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { hashToken } from '../../../src/security/tokens.js';
import { roleCallers, type RoleCallers } from './role-callers.js';

let ctx: TestContext;
let r: RoleCallers;
beforeAll(async () => {
  ctx = await createTestContext();
  r = await roleCallers(ctx, 'apps.example');
});
afterAll(() => ctx.close());

const api = () => request(ctx.app);
const operator = () => r.headers('operator');
type App = { client_id: string; name: string; redirect_uris: string[]; public: boolean; backchannel_logout_uri: string | null; client_secret?: string };

/** POST /oauth/revoke as the app: the provider authenticates the client before anything else. */
const revokeAs = (clientId: string, clientSecret: string) => api().post('/oauth/revoke').type('form')
  .send({ client_id: clientId, client_secret: clientSecret, token: 'not-a-token-of-anyone' });

describe('/v1/Apps (operator credential)', () => {
  it('registers a confidential app: the secret once, stored as a digest; the list never shows it; delete is 204', async () => {
    const created = await api().post('/v1/Apps').set(operator())
      .send({ name: ' Console ', redirect_uris: ['https://app.example.com/callback', 'http://localhost:3000/cb'], backchannel_logout_uri: 'https://app.example.com/bcl' });
    expect(created.status).toBe(201);
    const app = created.body as App;
    expect(app).toMatchObject({
      client_id: expect.stringMatching(/^AP[0-9a-f]{32}$/), name: 'Console', public: false,
      redirect_uris: ['https://app.example.com/callback', 'http://localhost:3000/cb'], backchannel_logout_uri: 'https://app.example.com/bcl',
      client_secret: expect.any(String),
    });
    const stored = await ctx.services.oidcApps.find(app.client_id);
    expect(stored!.secretHash).toBe(hashToken(app.client_secret!));
    expect(stored!.secretHash).not.toBe(app.client_secret);

    const listed = await api().get('/v1/Apps').set(operator()).expect(200);
    const mine = (listed.body.apps as App[]).find((a) => a.client_id === app.client_id);
    expect(mine).toMatchObject({ name: 'Console', public: false });
    expect(JSON.stringify(listed.body)).not.toContain(app.client_secret!);
    expect(JSON.stringify(listed.body)).not.toContain(stored!.secretHash!);

    await api().delete(`/v1/Apps/${app.client_id}`).set(operator()).expect(204);
    const after = await api().get('/v1/Apps').set(operator()).expect(200);
    expect((after.body.apps as App[]).map((a) => a.client_id)).not.toContain(app.client_id);
    const again = await api().delete(`/v1/Apps/${app.client_id}`).set(operator());
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('not_found');
  });

  it('a public app gets no secret', async () => {
    const res = await api().post('/v1/Apps').set(operator()).send({ name: 'SPA', redirect_uris: ['https://spa.example.com/cb'], public: true });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ public: true, backchannel_logout_uri: null });
    expect(res.body).not.toHaveProperty('client_secret');
    expect((await ctx.services.oidcApps.find(res.body.client_id))!.secretHash).toBeNull();
  });

  it.each([
    ['a redirect URI over plain http off loopback', { name: 'x', redirect_uris: ['http://app.example.com/cb'] }, /must use https/],
    ['a redirect URI with a fragment', { name: 'x', redirect_uris: ['https://app.example.com/cb#frag'] }, /fragment/],
    ['a relative redirect URI', { name: 'x', redirect_uris: ['/cb'] }, /not an absolute URL/],
    ['no redirect URI', { name: 'x', redirect_uris: [] }, /at least one redirect URI/],
    ['an empty name', { name: '  ', redirect_uris: ['https://app.example.com/cb'] }, /name of 1 to 200/],
    ['a bad back-channel logout URI', { name: 'x', redirect_uris: ['https://app.example.com/cb'], backchannel_logout_uri: 'ftp://x.example' }, /back-channel logout URI/],
    ['an unknown field', { name: 'x', redirect_uris: ['https://app.example.com/cb'], grant_types: ['implicit'] }, /grant_types/],
    ['a wrong type', { name: 'x', redirect_uris: 'https://app.example.com/cb' }, /redirect_uris/],
  ])('%s is 400 invalid_input, and registers nothing', async (_what, body, message) => {
    const before = (await ctx.services.oidcApps.list({ kind: 'operator' })).length;
    const res = await api().post('/v1/Apps').set(operator()).send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(res.body.error.message).toMatch(message);
    expect((await ctx.services.oidcApps.list({ kind: 'operator' })).length).toBe(before);
  });

  it('a malformed client ID on delete is 400', async () => {
    const res = await api().delete('/v1/Apps/not-an-app').set(operator());
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
  });
});

describe('only the operator manages apps', () => {
  it.each(['adminClient', 'readOnlyClient', 'owner', 'admin'] as const)('%s is refused (403) on create, list and delete, and nothing changes', async (caller) => {
    const existing = await ctx.services.oidcApps.create({ kind: 'operator' }, { name: 'Kept', redirectUris: ['https://kept.example.com/cb'] });
    const create = await api().post('/v1/Apps').set(r.headers(caller)).send({ name: 'Mine', redirect_uris: ['https://evil.example.com/cb'] });
    expect(create.status).toBe(403);
    expect(create.body.error.code).toBe('forbidden');
    expect((await api().get('/v1/Apps').set(r.headers(caller))).status).toBe(403);
    expect((await api().delete(`/v1/Apps/${existing.clientId}`).set(r.headers(caller))).status).toBe(403);
    const names = (await ctx.services.oidcApps.list({ kind: 'operator' })).map((a) => a.name);
    expect(names).not.toContain('Mine');
    expect(await ctx.services.oidcApps.find(existing.clientId)).toBeDefined();
  });

  it('no credential is 401', async () => {
    expect((await api().get('/v1/Apps')).status).toBe(401);
  });
});

describe('an app registered over the API is a client of the provider', () => {
  it('its secret authenticates it at the provider; a wrong secret does not; once deleted it is unknown', async () => {
    const app = (await api().post('/v1/Apps').set(operator()).send({ name: 'Used', redirect_uris: ['https://used.example.com/cb'] }).expect(201)).body as App;
    expect((await revokeAs(app.client_id, app.client_secret!)).status).toBe(200);
    const wrong = await revokeAs(app.client_id, 'not-the-secret');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_client');
    await api().delete(`/v1/Apps/${app.client_id}`).set(operator()).expect(204);
    const gone = await revokeAs(app.client_id, app.client_secret!);
    expect(gone.status).toBe(401);
    expect(gone.body.error).toBe('invalid_client');
  });

  it('a public app\'s authorization request is accepted and sent to sign in', async () => {
    const app = (await api().post('/v1/Apps').set(operator()).send({ name: 'Spa', redirect_uris: ['https://spa2.example.com/cb'], public: true }).expect(201)).body as App;
    const query = {
      client_id: app.client_id, redirect_uri: 'https://spa2.example.com/cb', response_type: 'code', scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', state: 's',
    };
    const accepted = await api().get('/oauth/authorize').query(query).redirects(0);
    expect(accepted.status).toBeGreaterThanOrEqual(300);
    expect(accepted.status).toBeLessThan(400);
    expect(accepted.headers.location).toMatch(/\/oauth\/interaction\//);
    // The same request for a redirect URI it was not registered with is not redirected anywhere.
    const wrongUri = await api().get('/oauth/authorize').query({ ...query, redirect_uri: 'https://evil.example.com/cb' }).redirects(0);
    expect(wrongUri.status).toBe(400);
  });
});
