/**
 * C3 with the bodies Okta and Entra ID send (idp-fixtures/scim/<idp>): a deactivation ends every
 * session of the person at once (Orgward sessions, pending second-factor steps, the product apps'
 * grants and tokens, with a back-channel logout notice), writes the audit entry and its lifecycle
 * event, and keeps the person findable; reactivation restores. Also what the one-statement path
 * must keep: If-Match (412), and no change lost when changes to one person race.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createTestContext, type TestContext } from '../../support/app.js';
import { createScimOrg, patchBody, scimClient, userBody, type ScimOrg } from '../../support/scim-fixtures.js';
import { insertSession, isLive } from '../../services/sessions-fixture.js';
import { hashToken, newToken } from '../../../src/security/tokens.js';

let ctx: TestContext;
let second: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
  second = await createTestContext({ testDb: ctx.testDb });
});
afterAll(async () => {
  await second.close();
  await ctx.close();
});

const FIXTURES = new URL('../../../idp-fixtures/scim/', import.meta.url);
const fixture = (idp: string, file: string, domain: string) =>
  JSON.parse(readFileSync(new URL(`${idp}/${file}`, FIXTURES), 'utf8').replace(/\{\{domain\}\}/g, domain)) as Record<string, unknown>;

const count = async (sql: string, bindings: readonly string[]) => Number(((await ctx.testDb.db.raw(sql, bindings)).rows as { n: string | number }[])[0]!.n);

/** Everything a deactivation must end: a session, a pending second-factor step, an app's grant and refresh token. */
async function signedInEverywhere(userSid: string) {
  const session = await insertSession(ctx, userSid);
  await ctx.testDb.db('sign_in_challenges').insert({ id_hash: hashToken(newToken()), user_sid: userSid, kind: 'totp', expires_at: new Date(ctx.clock.now().getTime() + 600_000) });
  const clientId = `AP${randomBytes(16).toString('hex')}`;
  await ctx.testDb.db('oidc_apps').insert({ client_id: clientId, name: 'Product', redirect_uris: JSON.stringify(['https://app.example/cb']), public: true, backchannel_logout_uri: 'https://app.example/logout' });
  const grantId = randomBytes(8).toString('hex');
  await ctx.testDb.db('oidc_payloads').insert([
    { model: 'Grant', id: grantId, payload: JSON.stringify({ accountId: userSid, clientId }) },
    { model: 'RefreshToken', id: randomBytes(8).toString('hex'), grant_id: grantId, payload: JSON.stringify({ accountId: userSid, clientId, grantId }) },
  ]);
  return { session, clientId };
}

describe.each([
  ['okta', 'deactivate-user.json', 'reactivate-user.json'],
  ['entra', 'disable-user.json', 'enable-user.json'],
])('R-C3: %s deactivation and reactivation with the recorded bodies', (idp, off, on) => {
  let org: ScimOrg;
  beforeAll(async () => { org = await createScimOrg(ctx, { domain: `${idp}-c3.example` }); });

  it(`R-C3: ${off} ends every session of the person at once; audited with its lifecycle event; still findable; ${on} restores`, async () => {
    const created = (await org.client.post('/Users', fixture(idp, 'create-user.json', org.domain)).expect(201)).body as { id: string; userName: string };
    const { session, clientId } = await signedInEverywhere(created.id);

    const res = await org.client.patch(`/Users/${created.id}`, fixture(idp, off, org.domain)).expect(200);
    expect(res.body.active).toBe(false);
    expect(await isLive(ctx, session)).toBe(false);
    expect(await count('SELECT count(*) AS n FROM sign_in_challenges WHERE user_sid = ?', [created.id])).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM oidc_payloads WHERE payload->>'accountId' = ?`, [created.id])).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM oidc_logout_notices WHERE user_sid = ? AND client_id = ? AND reason = 'suspended'`, [created.id, clientId])).toBe(1);
    expect((await ctx.store.read.users.get(created.id))!.status).toBe('suspended');
    const log = (await ctx.store.read.audit.list(org.org.sid, { limit: 1000 })).filter((e) => e.target === created.id);
    const suspended = log.filter((e) => e.action === 'user.suspended');
    expect(suspended).toEqual([expect.objectContaining({ actor: `scim:${org.tokenId}`, before: { status: 'active' }, after: { status: 'suspended' } })]);
    expect(await count('SELECT count(*) AS n FROM events WHERE audit_id = ?', [suspended[0]!.id])).toBe(1);
    // session.revoked (issue 13): the session and the app's grant that ended, in the same statement.
    const revoked = log.filter((e) => e.action === 'session.revoked');
    expect(revoked).toEqual([expect.objectContaining({ actor: `scim:${org.tokenId}`, after: { user: created.id, sessions: 1, apps: 1, reason: 'suspended' } })]);
    expect(await count('SELECT count(*) AS n FROM events WHERE audit_id = ?', [revoked[0]!.id])).toBe(1);
    const found = await org.client.get(`/Users?filter=${encodeURIComponent(`userName eq "${created.userName}"`)}`).expect(200);
    expect(found.body.Resources).toEqual([expect.objectContaining({ id: created.id, active: false })]);

    // Sent again (IdPs retry): nothing changes, nothing more is audited.
    await org.client.patch(`/Users/${created.id}`, fixture(idp, off, org.domain)).expect(200);
    const back = await org.client.patch(`/Users/${created.id}`, fixture(idp, on, org.domain)).expect(200);
    expect(back.body.active).toBe(true);
    expect((await ctx.store.read.users.get(created.id))!.status).toBe('active');
    const actions = (await ctx.store.read.audit.list(org.org.sid, { limit: 1000 })).filter((e) => e.target === created.id).map((e) => e.action);
    expect(actions.filter((a) => a === 'user.suspended' || a === 'user.restored')).toEqual(['user.suspended', 'user.restored']);
  });

  it(`If-Match: ${off} with a stale version is 412 and changes nothing; with the current one it applies`, async () => {
    const id = (await org.client.post('/Users', userBody(`etag@${org.domain}`)).expect(201)).body.id as string;
    const etag = (await org.client.get(`/Users/${id}`).expect(200)).headers.etag as string;
    await org.client.patch(`/Users/${id}`, patchBody({ op: 'replace', path: 'title', value: 'Moved on' })).expect(200);
    const session = await insertSession(ctx, id);
    await org.client.patch(`/Users/${id}`, fixture(idp, off, org.domain)).set('If-Match', etag).expect(412);
    expect(await isLive(ctx, session)).toBe(true);
    const current = (await org.client.get(`/Users/${id}`).expect(200)).headers.etag as string;
    await org.client.patch(`/Users/${id}`, fixture(idp, off, org.domain)).set('If-Match', current).expect(200);
    expect(await isLive(ctx, session)).toBe(false);
  });
});

describe('Okta profile pushes (PUT of the whole user)', () => {
  it('L1: update-user.json writes the new profile once, audited; the same PUT again changes nothing and audits nothing', async () => {
    const org = await createScimOrg(ctx, { domain: 'okta-put.example' });
    const id = (await org.client.post('/Users', fixture('okta', 'create-user.json', org.domain)).expect(201)).body.id as string;
    const put = { ...fixture('okta', 'update-user.json', org.domain), id };
    const first = await org.client.put(`/Users/${id}`, put).expect(200);
    expect(first.body).toMatchObject({ displayName: 'Isabella Jones-Whitaker', name: { familyName: 'Jones-Whitaker' }, active: true });
    expect((await ctx.store.read.users.get(id))!.familyName).toBe('Jones-Whitaker');
    const again = await org.client.put(`/Users/${id}`, put).expect(200);
    expect(again.headers.etag).toBe(first.headers.etag);
    const updates = (await ctx.store.read.audit.list(org.org.sid, { limit: 1000 })).filter((e) => e.target === id && e.action === 'scim.user_updated');
    expect(updates).toEqual([expect.objectContaining({ before: expect.objectContaining({ familyName: 'Jones' }), after: expect.objectContaining({ familyName: 'Jones-Whitaker' }) })]);
  });
});

describe('changes to one person racing (the one-statement path re-checks under the row lock)', () => {
  it('concurrent PATCHes from two app instances, a deactivation among them, lose no change; one suspension audited', async () => {
    const org = await createScimOrg(ctx);
    const id = (await org.client.post('/Users', userBody(`race@${org.domain}`)).expect(201)).body.id as string;
    const session = await insertSession(ctx, id);
    const other = scimClient(second.app, org.client.token);
    const attributes = ['title', 'nickName', 'profileUrl', 'userType', 'preferredLanguage', 'locale', 'timezone'];
    const patches = [
      ...attributes.map((attr, i) => (i % 2 === 0 ? org.client : other).patch(`/Users/${id}`, patchBody({ op: 'replace', path: attr, value: `v-${attr}` }))),
      other.patch(`/Users/${id}`, patchBody({ op: 'Replace', path: 'active', value: 'False' })),
      org.client.patch(`/Users/${id}`, patchBody({ op: 'replace', value: { active: false } })),
    ];
    expect(new Set((await Promise.all(patches)).map((r) => r.status))).toEqual(new Set([200]));
    const res = await org.client.get(`/Users/${id}`).expect(200);
    for (const attr of attributes) expect([attr, res.body[attr]]).toEqual([attr, `v-${attr}`]);
    expect(res.body.active).toBe(false);
    expect(await isLive(ctx, session)).toBe(false);
    const actions = (await ctx.store.read.audit.list(org.org.sid, { limit: 1000 })).filter((e) => e.target === id).map((e) => e.action);
    expect(actions.filter((a) => a === 'user.suspended')).toHaveLength(1);
    expect(actions.filter((a) => a === 'scim.user_updated')).toHaveLength(attributes.length);
  });
});
