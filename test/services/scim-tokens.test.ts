import { createTestContext, type TestContext } from '../support/app.js';
import { addMember, addVerifiedDomain, asUser, createOrgWithOwner, OPERATOR, type OrgWithOwner } from '../support/fixtures.js';
import { scimClient } from '../support/scim-fixtures.js';
import { hashToken } from '../../src/security/tokens.js';

let ctx: TestContext;
let org: OrgWithOwner;
beforeAll(async () => {
  ctx = await createTestContext();
  org = await createOrgWithOwner(ctx, { ownerEmail: 'owner@tokens.example' });
  await addVerifiedDomain(ctx, org.org.sid, 'tokens.example');
});
afterAll(async () => { await ctx.close(); });

describe('C1: SCIM tokens', () => {
  it('R-C1: a token is shown once and stored only as its SHA-256 digest; listing never shows it', async () => {
    const { id, token } = await ctx.services.scimTokens.create(org.ownerActor, org.org.sid, { description: 'Okta' });
    expect(token).toMatch(/^scim_[\w-]{43}$/);
    const rows = await ctx.testDb.db('scim_tokens').where({ id });
    expect(rows).toEqual([expect.objectContaining({ token_hash: hashToken(token), org_sid: org.org.sid })]);
    expect(JSON.stringify(rows)).not.toContain(token);
    const list = await ctx.services.scimTokens.list(org.ownerActor, org.org.sid);
    expect(list).toContainEqual(expect.objectContaining({ id, description: 'Okta', revokedAt: null }));
    expect(JSON.stringify(list)).not.toContain(token);
    const audit = await ctx.store.read.audit.list(org.org.sid, { action: 'scim.token_created' });
    expect(JSON.stringify(audit)).not.toContain(token);
  });

  it('R-C1: several tokens are live at once (rotation); a revoked one gets 401 at once', async () => {
    const a = await ctx.services.scimTokens.create(OPERATOR, org.org.sid);
    const b = await ctx.services.scimTokens.create(OPERATOR, org.org.sid);
    await scimClient(ctx.app, a.token).get('/Users').expect(200);
    await scimClient(ctx.app, b.token).get('/Users').expect(200);
    await expect(ctx.services.scimTokens.revoke(OPERATOR, org.org.sid, a.id)).resolves.toEqual({ id: a.id, revoked: true });
    const res = await scimClient(ctx.app, a.token).get('/Users').expect(401);
    expect(res.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401' });
    await scimClient(ctx.app, b.token).get('/Users').expect(200);
    await expect(ctx.services.scimTokens.revoke(OPERATOR, org.org.sid, a.id)).resolves.toEqual({ id: a.id, revoked: false });
  });

  it('O3, U6: only the organization\'s administrators manage its tokens; unknown ids are not found', async () => {
    const standard = await addMember(ctx, org.org.sid, 'standard@tokens.example');
    await expect(ctx.services.scimTokens.create(asUser(standard), org.org.sid)).rejects.toMatchObject({ code: 'forbidden' });
    const admin = await addMember(ctx, org.org.sid, 'admin@tokens.example', 'admin');
    await expect(ctx.services.scimTokens.create(asUser(admin), org.org.sid)).resolves.toHaveProperty('token');
    const stranger = await createOrgWithOwner(ctx, { ownerEmail: 'owner@stranger.example' });
    await expect(ctx.services.scimTokens.list(stranger.ownerActor, org.org.sid)).rejects.toMatchObject({ code: 'not_found' });
    await expect(ctx.services.scimTokens.revoke(OPERATOR, org.org.sid, '00000000-0000-0000-0000-000000000000')).rejects.toMatchObject({ code: 'not_found' });
    await expect(ctx.services.scimTokens.revoke(OPERATOR, org.org.sid, 'nope')).rejects.toMatchObject({ code: 'not_found' });
    const theirs = await ctx.services.scimTokens.create(OPERATOR, stranger.org.sid);
    await expect(ctx.services.scimTokens.revoke(OPERATOR, org.org.sid, theirs.id)).rejects.toMatchObject({ code: 'not_found' });
    const scimActor = { kind: 'scim' as const, tokenId: theirs.id, orgSid: stranger.org.sid };
    await expect(ctx.services.scimTokens.create(scimActor, stranger.org.sid)).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('L1: a token\'s last use is recorded (a write in its own transaction, not on the read repositories)', async () => {
    const { id, token } = await ctx.services.scimTokens.create(OPERATOR, org.org.sid);
    await scimClient(ctx.app, token).get('/Users').expect(200);
    // Recorded after the answer (the request does not wait for it): read until it shows.
    let lastUsedAt: Date | null = null;
    for (let i = 0; i < 500 && lastUsedAt === null; i++) {
      lastUsedAt = (await ctx.services.scimTokens.list(OPERATOR, org.org.sid)).find((t) => t.id === id)!.lastUsedAt;
    }
    expect(lastUsedAt).toBeInstanceOf(Date);
  });

  it('C1: a SCIM token manages no tokens, group mappings or accounts; the refusal says who does', async () => {
    const { id } = await ctx.services.scimTokens.create(OPERATOR, org.org.sid);
    const scimActor = { kind: 'scim' as const, tokenId: id, orgSid: org.org.sid };
    for (const [attempt, what] of [
      [() => ctx.services.scimTokens.list(scimActor, org.org.sid), 'manage SCIM tokens'],
      [() => ctx.services.scimGroups.listMappings(scimActor, org.org.sid), 'map groups'],
      [() => ctx.services.accounts.list(scimActor, org.org.sid), 'manage or read accounts'],
    ] as const) {
      await expect(attempt()).rejects.toMatchObject({ code: 'forbidden', message: `A SCIM token cannot ${what}. An Owner or Administrator does this, or an operator with the orgward CLI.` });
    }
  });
});
