// Sign-in services: TOTP (RFC 6238), home-realm discovery (S2), and SSO connections (S1).
import { X509Certificate } from 'node:crypto';
import { createTestContext, type TestContext } from '../support/app.js';
import { addMember, addVerifiedDomain, asUser, createOrgWithOwner, OPERATOR } from '../support/fixtures.js';
import { base32Decode, base32Encode, hotp, matchTotp, totpCode, totpStep } from '../../src/services/totp.js';
import { createSpKeyPair } from '../../src/services/sso-certificate.js';
import { IDP_A_KEY } from '../../idp-fixtures/keys.js';

let ctx: TestContext;
let orgSid: string;

beforeAll(async () => {
  ctx = await createTestContext();
  orgSid = (await createOrgWithOwner(ctx, { ownerEmail: 'owner@svc.test' })).org.sid;
  await addVerifiedDomain(ctx, orgSid, 'svc.test');
});
afterAll(async () => { await ctx.close(); });

describe('TOTP (RFC 6238, RFC 4226)', () => {
  // RFC 6238 Appendix B, SHA-1, 8 digits, secret "12345678901234567890".
  it.each([[59, '94287082'], [1111111109, '07081804'], [1111111111, '14050471'], [1234567890, '89005924'], [2000000000, '69279037'], [20000000000, '65353130']])(
    'time %d gives %s', (seconds, code) => {
      expect(hotp(Buffer.from('12345678901234567890'), totpStep(new Date(seconds * 1000)), 8)).toBe(code);
    },
  );

  it('base32 round-trips (RFC 4648 examples)', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32Decode('MZXW6YTBOI').toString()).toBe('foobar');
  });

  it('accepts one step of drift either way and tells which step matched', () => {
    const secret = base32Encode(Buffer.from('12345678901234567890'));
    const now = new Date(1_700_000_000_000);
    expect(matchTotp(secret, totpCode(secret, now), now)).toBe(totpStep(now));
    expect(matchTotp(secret, totpCode(secret, new Date(now.getTime() - 30_000)), now)).toBe(totpStep(now) - 1);
    expect(matchTotp(secret, totpCode(secret, new Date(now.getTime() + 30_000)), now)).toBe(totpStep(now) + 1);
    expect(matchTotp(secret, totpCode(secret, new Date(now.getTime() - 90_000)), now)).toBeNull();
    expect(matchTotp(secret, 'abcdef', now)).toBeNull();
  });
});

describe('SSO connections (S1)', () => {
  it('makes each SAML connection its own SP key pair, with a self-signed certificate that verifies', () => {
    const pair = createSpKeyPair('Orgward SP test', new Date('2026-01-01T00:00:00Z'));
    const cert = new X509Certificate(pair.certificate);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(cert.subject).toBe('CN=Orgward SP test');
  });

  it.each([
    ['a plain-http SSO URL off loopback', { ssoUrl: 'http://idp.example.test/sso' }, 'ssoUrl'],
    ['an SSO URL that is not a URL', { ssoUrl: 'idp.example.test' }, 'ssoUrl'],
    ['no certificate', { certificates: [] }, 'certificates'],
    ['a certificate that is not PEM', { certificates: ['not a certificate'] }, 'certificates'],
    ['an empty entity ID', { idpEntityId: ' ' }, 'idpEntityId'],
  ])('refuses a SAML connection with %s (invalid_input)', async (_name, over, field) => {
    await expect(ctx.services.sso.addSaml(OPERATOR, orgSid, { idpEntityId: 'https://idp.test', ssoUrl: 'https://idp.test/sso', certificates: [IDP_A_KEY.cert], ...over }))
      .rejects.toMatchObject({ code: 'invalid_input', details: { field } });
  });

  it('refuses a plain-http OIDC issuer unless explicitly allowed, and then only on loopback', async () => {
    const input = { clientId: 'c', clientSecret: 's' };
    await expect(ctx.services.sso.addOidc(OPERATOR, orgSid, { ...input, issuer: 'http://127.0.0.1:9999' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(ctx.services.sso.addOidc(OPERATOR, orgSid, { ...input, issuer: 'http://idp.example.test', allowHttpIssuer: true })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(ctx.services.sso.addOidc(OPERATOR, orgSid, { ...input, issuer: 'http://127.0.0.1:9999', allowHttpIssuer: true })).resolves.toMatchObject({ connectionId: expect.any(String) });
  });

  it('stores the OIDC client secret and the SP private key encrypted, never in the audit log', async () => {
    const oidc = await ctx.services.sso.addOidc(OPERATOR, orgSid, { issuer: 'https://login.example.test', clientId: 'cid', clientSecret: 'very-secret-value' });
    const saml = await ctx.services.sso.addSaml(OPERATOR, orgSid, { idpEntityId: 'https://idp.test', ssoUrl: 'https://idp.test/sso', certificates: [IDP_A_KEY.cert] });
    const rows = await ctx.testDb.db('sso_connections').whereIn('id', [oidc.connectionId, saml.connectionId]);
    expect(JSON.stringify(rows)).not.toContain('very-secret-value');
    expect(JSON.stringify(rows)).not.toContain('PRIVATE KEY');
    expect((await ctx.services.sso.oidcSettings(oidc.connectionId)).clientSecret).toBe('very-secret-value');
    expect((await ctx.services.sso.samlSettings(saml.connectionId)).spPrivateKey).toContain('PRIVATE KEY');
    const audit = await ctx.testDb.db('audit_log').where({ org_sid: orgSid, action: 'sso.connection_added' }).whereIn('target', [oidc.connectionId, saml.connectionId]);
    expect(audit).toHaveLength(2);
    expect(JSON.stringify(audit)).not.toMatch(/very-secret-value|PRIVATE KEY/);
  });

  it('R-O3: only administrators manage SSO; lists show no secrets', async () => {
    const standard = await addMember(ctx, orgSid, 'std@svc.test');
    await expect(ctx.services.sso.addOidc(asUser(standard), orgSid, { issuer: 'https://x.test', clientId: 'c', clientSecret: 's' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(ctx.services.sso.list(asUser(standard), orgSid)).rejects.toMatchObject({ code: 'forbidden' });
    const listed = await ctx.services.sso.list(OPERATOR, orgSid);
    expect(listed.length).toBeGreaterThan(0);
    expect(JSON.stringify(listed)).not.toMatch(/very-secret-value|PRIVATE KEY|clientSecret/);
  });
});

describe('home-realm discovery (S2)', () => {
  it('R-S2: no verified domain, or no tested connection → password', async () => {
    const org = await createOrgWithOwner(ctx, { ownerEmail: 'owner@hrd.test' });
    await addVerifiedDomain(ctx, org.org.sid, 'hrd.test');
    expect(await ctx.services.signIn.discover('x@nowhere.test')).toEqual({ kind: 'password', email: 'x@nowhere.test' });
    await ctx.services.sso.addSaml(OPERATOR, org.org.sid, { idpEntityId: 'https://idp.test', ssoUrl: 'https://idp.test/sso', certificates: [IDP_A_KEY.cert] });
    expect(await ctx.services.signIn.discover('X@HRD.test')).toEqual({ kind: 'password', email: 'x@hrd.test' });
  });

  it('R-D5: only an exact domain match counts (sub.hrd2.test is not hrd2.test)', async () => {
    const org = await createOrgWithOwner(ctx, { ownerEmail: 'owner@hrd2.test' });
    await addVerifiedDomain(ctx, org.org.sid, 'hrd2.test');
    const added = await ctx.services.sso.addSaml(OPERATOR, org.org.sid, { idpEntityId: 'https://idp.test', ssoUrl: 'https://idp.test/sso', certificates: [IDP_A_KEY.cert] });
    await ctx.store.transaction((r) => r.ssoConnections.markTested(added.connectionId, ctx.clock.now()));
    expect(await ctx.services.signIn.discover('a@hrd2.test')).toEqual({ kind: 'sso', connectionId: added.connectionId, protocol: 'saml', orgSid: org.org.sid, enforced: false });
    expect((await ctx.services.signIn.discover('a@sub.hrd2.test')).kind).toBe('password');
  });
});
