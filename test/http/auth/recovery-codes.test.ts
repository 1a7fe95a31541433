/**
 * Self-service recovery: ten single-use recovery codes shown at TOTP enrolment, stored hashed,
 * usable instead of a code at the second-factor step; using one is audited and mailed.
 */
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { createOrgWithOwner, OPERATOR } from '../../support/fixtures.js';
import { PASSWORD, postForm, secretOf, userWithPassword } from './support.js';
import { totpCode } from '../../../src/services/totp.js';

let ctx: TestContext;
let orgSid: string;

beforeAll(async () => {
  ctx = await createTestContext();
  orgSid = (await createOrgWithOwner(ctx, { ownerEmail: 'owner@rc.test' })).org.sid;
});
afterAll(async () => { await ctx.close(); });

const codesOf = (html: string): string[] => [...html.matchAll(/<li><code>([a-z2-7]{5}-[a-z2-7]{5})<\/code><\/li>/g)].map((m) => m[1]!);

describe('recovery codes (U4 self-service)', () => {
  it('ten codes are shown at enrolment, stored hashed, each works once instead of a code, audited and mailed', async () => {
    const user = await userWithPassword(ctx, 'ned@rc.test', orgSid);
    const first = request.agent(ctx.app);
    expect((await postForm(first, '/login/password', { email: 'ned@rc.test', password: PASSWORD })).status).toBe(303);
    const page = await first.get('/login/second-factor').expect(200);
    const codes = codesOf(page.text);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    expect((await postForm(first, '/login/second-factor', { code: totpCode(secretOf(page.text), ctx.clock.now()) })).status).toBe(303);

    const stored = await ctx.testDb.db('recovery_codes').where({ user_sid: user.sid }).select('code_hash');
    expect(stored).toHaveLength(10);
    expect(JSON.stringify(stored)).not.toContain(codes[0]!.slice(0, 5));

    // Lost phone: a recovery code instead of the TOTP code (any case, with or without the dash).
    const lost = request.agent(ctx.app);
    await postForm(lost, '/login/password', { email: 'ned@rc.test', password: PASSWORD });
    const used = await postForm(lost, '/login/second-factor', { code: codes[3]!.toUpperCase().replace('-', '') });
    expect(used.status).toBe(303);
    expect((await lost.get('/api/v1/me').expect(200)).body).toMatchObject({ sid: user.sid, signInMethod: 'password' });

    const entries = await ctx.store.read.audit.list(orgSid, { action: 'user.recovery_code_used' });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ target: user.sid, after: { recoveryCodesLeft: 9 } });
    await ctx.services.passwords.settled();
    const mail = await ctx.store.read.outbox.listTo('ned@rc.test');
    expect(mail.some((m) => m.subject === 'A recovery code was used to sign in')).toBe(true);

    // The same code does not work twice.
    const again = request.agent(ctx.app);
    await postForm(again, '/login/password', { email: 'ned@rc.test', password: PASSWORD });
    expect((await postForm(again, '/login/second-factor', { code: codes[3]! })).status).toBe(401);
    await again.get('/api/v1/me').expect(401);

    // R-U4: an administrator's 2FA reset removes the codes with the factor.
    await ctx.services.twoFactor.adminReset(OPERATOR, orgSid, user.sid);
    expect(await ctx.testDb.db('recovery_codes').where({ user_sid: user.sid }).select('code_hash')).toEqual([]);
  });
});
