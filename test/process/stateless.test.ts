/**
 * Stateless instances: two app instances over one database share everything that must be shared
 * (organizations, domain verification tokens, invitation tokens, sessions, SCIM token revocation),
 * because none of it lives only in process memory. What one instance writes, the other reads and
 * acts on at once (SCIM tokens: within a one-second per-process cache).
 */
import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app.js';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.js';

const operator = { kind: 'operator' } as const;

let dns: TestDnsServer;
let a: TestContext;
let b: TestContext;
beforeAll(async () => {
  dns = await startDnsServer();
  a = await createTestContext({ dnsServers: [dns.address] });
  // One clock for both, as instances share the wall clock.
  b = await createTestContext({ dnsServers: [dns.address], testDb: a.testDb, clock: a.clock });
});
afterAll(async () => {
  await b.close();
  await a.close();
  await dns.close();
});

describe('two instances over one database', () => {
  it('share organizations, domain tokens, invitation tokens and sessions: what A writes, B acts on', async () => {
    const { orgSid, ownerSid } = await a.services.organizations.create(operator, { name: 'Shared', ownerEmail: 'owner@shared.example' });
    expect(await b.services.organizations.get(operator, orgSid)).toMatchObject({ sid: orgSid, name: 'Shared', ownerSid, memberCount: 1 });

    // The TXT token issued by A is the one B checks (D3).
    const added = await a.services.domains.add(operator, orgSid, 'shared.example');
    dns.publish(added.txtName, added.txtValue);
    expect(await b.services.domains.verify(operator, orgSid, 'shared.example')).toMatchObject({ domain: 'shared.example', verified: true });
    expect((await a.services.domains.list(operator, orgSid))[0]).toMatchObject({ domain: 'shared.example', verified: true });

    // An invitation link mailed by A works on B, once.
    await a.services.invitations.invite(operator, orgSid, { email: 'bob@shared.example', role: 'standard' });
    await a.mailer.flush();
    const [mail] = await a.store.read.outbox.listTo('bob@shared.example');
    const token = /\/invitations\/(\S+)/.exec(mail!.bodyText)![1]!;
    const joined = await b.services.invitations.accept(token, { password: 'a long enough passphrase 42' });
    expect(joined.orgSid).toBe(orgSid);
    await expect(a.services.invitations.accept(token)).rejects.toMatchObject({ code: 'token_invalid' });
    expect((await a.services.organizations.get(operator, orgSid)).memberCount).toBe(2);

    // A session issued by A is valid on B; signing out on B ends it on A.
    a.clock.advance(1000);
    const session = await a.store.transaction((repos) => a.services.sessions.issue(repos, { userSid: joined.userSid, method: 'password', passwordChangedAt: null }));
    expect(await b.services.sessions.resolve(session.token)).toMatchObject({ userSid: joined.userSid, orgSid });
    await b.services.sessions.signOut(session.token);
    expect(await a.services.sessions.resolve(session.token)).toBeUndefined();
  });

  it('R-C1: a SCIM token revoked on A stops working on B within its 1 s per-process cache', async () => {
    const { orgSid } = await a.services.organizations.create(operator, { name: 'Tokens', ownerEmail: 'owner@tokens.example' });
    const token = await a.services.scimTokens.create(operator, orgSid);
    expect(await b.services.scimTokens.authenticate(token.token)).toMatchObject({ kind: 'scim', tokenId: token.id, orgSid });
    await a.services.scimTokens.revoke(operator, orgSid, token.id);
    await expect(a.services.scimTokens.authenticate(token.token)).rejects.toMatchObject({ code: 'scim_token_invalid' });
    // B remembered the token for at most a second (src/services/scim-tokens.ts REMEMBER_MS); real time, not the test clock.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await expect(b.services.scimTokens.authenticate(token.token)).rejects.toMatchObject({ code: 'scim_token_invalid' });
  });

  it('both answer /healthz from the shared database', async () => {
    await request(a.app).get('/healthz').expect(200);
    await request(b.app).get('/healthz').expect(200);
  });
});
