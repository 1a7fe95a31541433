/**
 * `sso_connection.certificate_expiring` (issue 13) from housekeeping, driven by the clock: a SAML
 * connection's IdP signing certificate that expires within 30 days gets one event per connection
 * and certificate (S1: a connection may trust several), from the sweeper's hourly check as
 * production wires it (jobs/housekeeping-checks.ts), never again on later runs or on another
 * instance, in the connection's organization, as the system's act. A certificate added by a
 * rotation is warned about in its own turn.
 */
import { manualClock } from '../../src/clock.js';
import { housekeepingChecks } from '../../src/jobs/housekeeping-checks.js';
import { createSweeper, type Sweeper } from '../../src/jobs/sweeper.js';
import { silentLogger } from '../../src/logger.js';
import { createSpKeyPair } from '../../src/services/sso-certificate.js';
import type { EventRecord } from '../../src/store/events.js';
import { sweeperStore } from '../../src/store/sweeper.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { createOrgWithOwner, type OrgWithOwner } from '../support/fixtures.js';

const NOW = new Date('2030-03-10T12:00:00.000Z');
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const at = (ms: number) => new Date(NOW.getTime() + ms);

/** An IdP certificate (RSA 2048, self-signed) valid until `notAfter`. */
function certificateUntil(notAfter: Date): string {
  const notBefore = new Date(notAfter);
  notBefore.setUTCFullYear(notAfter.getUTCFullYear() - 10);
  return createSpKeyPair('Test IdP', notBefore).certificate;
}

let ctx: TestContext;
let a: OrgWithOwner;
let b: OrgWithOwner;
let sweeper: Sweeper;

beforeAll(async () => {
  ctx = await createTestContext({ clock: manualClock(NOW) });
  a = await createOrgWithOwner(ctx, { ownerEmail: 'owner@cert-a.test' });
  b = await createOrgWithOwner(ctx, { ownerEmail: 'owner@cert-b.test' });
  sweeper = createSweeper({ store: sweeperStore(ctx.testDb.db), clock: ctx.clock, logger: silentLogger, checks: housekeepingChecks(ctx.services), holder: 'instance-1' });
});
afterAll(() => ctx.close());

async function warnings(): Promise<EventRecord[]> {
  await ctx.services.events.sequence();
  return ctx.store.read.events.list({ types: ['sso_connection.certificate_expiring'], limit: 1000 });
}

const addSaml = (o: OrgWithOwner, certificates: string[]) => ctx.services.sso.addSaml(o.ownerActor, o.org.sid, {
  idpEntityId: `https://idp.test/${o.org.sid}`, ssoUrl: 'https://idp.test/sso', certificates,
});

describe('sso_connection.certificate_expiring (issue 13)', () => {
  it('warns once per connection and certificate, by the clock, from the hourly housekeeping check', async () => {
    const in40 = certificateUntil(at(40 * DAY));
    const in10 = certificateUntil(at(10 * DAY));
    const expired = certificateUntil(at(-2 * DAY));
    const connA = await addSaml(a, [in40]);
    const connB = await addSaml(b, [expired, in10]);

    // B: one certificate expires in 10 days, one expired 2 days ago (a rotation left it trusted). A: 40 days, not yet.
    expect(await sweeper.runOnce()).toMatchObject({ outcome: 'swept', checked: { sso_certificate_expiry: 2 } });
    const first = await warnings();
    expect(first.map((e) => [e.organization, e.actor, e.data.target])).toEqual([[b.org.sid, 'system', connB.connectionId], [b.org.sid, 'system', connB.connectionId]]);
    const byExpiry = new Map(first.map((e) => [(e.data.after as { expired: boolean }).expired, e.data.after]));
    expect(byExpiry.get(false)).toMatchObject({ connectionId: connB.connectionId, enabled: true, daysLeft: 10, replacementTrusted: false, notAfter: at(10 * DAY).toISOString() });
    expect(byExpiry.get(true)).toMatchObject({ connectionId: connB.connectionId, daysLeft: -2, replacementTrusted: true });
    expect(new Set(first.map((e) => (e.data.after as { fingerprint: string }).fingerprint)).size).toBe(2);
    // Never the certificate itself or any key: a fingerprint names it.
    expect(JSON.stringify(first)).not.toMatch(/BEGIN|PRIVATE/);

    // Within the hour the check does not run again; after it, nothing is repeated.
    ctx.clock.set(at(30 * 60_000));
    expect(await sweeper.runOnce()).toMatchObject({ outcome: 'swept', checked: {} });
    ctx.clock.set(at(2 * HOUR));
    expect(await sweeper.runOnce()).toMatchObject({ outcome: 'swept', checked: { sso_certificate_expiry: 0 } });

    // Eleven days on, A's certificate is 29 days from expiry: its warning, and B's are not repeated.
    ctx.clock.set(at(11 * DAY));
    expect(await sweeper.runOnce()).toMatchObject({ checked: { sso_certificate_expiry: 1 } });
    const second = (await warnings()).slice(first.length);
    expect(second.map((e) => [e.organization, e.data.target])).toEqual([[a.org.sid, connA.connectionId]]);
    expect(second[0]!.data.after).toMatchObject({ daysLeft: 29, expired: false, replacementTrusted: false });

    // Another instance's sweeper (its first check runs at once) finds nothing new: the record is shared.
    const other = createSweeper({ store: sweeperStore(ctx.testDb.db), clock: ctx.clock, logger: silentLogger, checks: housekeepingChecks(ctx.services), holder: 'instance-2' });
    expect(await other.runOnce()).toMatchObject({ checked: { sso_certificate_expiry: 0 } });

    // R-S1: A rotates: the new certificate is trusted beside the old one; only once it nears expiry is it warned about.
    const next = certificateUntil(at(11 * DAY + 45 * DAY));
    await ctx.services.sso.changeSaml(a.ownerActor, a.org.sid, connA.connectionId, { certificates: [in40, next] });
    ctx.clock.set(at(13 * DAY));
    expect(await sweeper.runOnce()).toMatchObject({ checked: { sso_certificate_expiry: 0 } });
    ctx.clock.set(at(30 * DAY));
    expect(await sweeper.runOnce()).toMatchObject({ checked: { sso_certificate_expiry: 1 } });
    const third = (await warnings()).slice(first.length + second.length);
    expect(third.map((e) => e.data.after)).toMatchObject([{ connectionId: connA.connectionId, daysLeft: 26, replacementTrusted: false }]);
    expect((third[0]!.data.after as { fingerprint: string }).fingerprint).not.toBe((second[0]!.data.after as { fingerprint: string }).fingerprint);

    // The record goes with its connection.
    await ctx.services.sso.remove(b.ownerActor, b.org.sid, connB.connectionId);
    expect(Number((await ctx.testDb.db('sso_certificate_warnings').count<{ n: string }[]>('* as n'))[0]!.n)).toBe(2);
  });

  it('a certificate removed before the check is not warned about; the event is in the organization\'s feed', async () => {
    ctx.clock.set(at(40 * DAY));
    const soon = certificateUntil(at(50 * DAY));
    const later = certificateUntil(at(400 * DAY));
    const conn = await addSaml(b, [soon, later]);
    await ctx.services.sso.changeSaml(b.ownerActor, b.org.sid, conn.connectionId, { certificates: [later] });
    ctx.clock.set(at(42 * DAY));
    expect(await sweeper.runOnce()).toMatchObject({ checked: { sso_certificate_expiry: 0 } });
    const feed = await ctx.services.events.feed(b.ownerActor, { scope: 'organization', orgSid: b.org.sid, types: ['sso_connection.*'], limit: 1000 });
    expect(feed.events.filter((e) => e.type === 'sso_connection.certificate_expiring' && e.data.target === conn.connectionId)).toEqual([]);
  });
});
