import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { hashToken } from '../../src/security/tokens.js';
import { createTestContext, type TestContext } from '../support/app.js';
import {
  OPERATOR, addLoneUser, addMember, addUnverifiedDomain, addVerifiedDomain, asUser, createOrgWithOwner, lastLinkTo, setOrgSettings,
} from '../support/fixtures.js';

let ctx: TestContext;
let n = 0;

async function setting() {
  n += 1;
  const corp = `bulk${n}.com`;
  const blocked = `blocked${n}.com`;
  const o = await createOrgWithOwner(ctx, { ownerEmail: `owner@${corp}`, name: `Bulk ${n}` });
  await addVerifiedDomain(ctx, o.org.sid, corp);
  await addVerifiedDomain(ctx, o.org.sid, blocked, 'blocked');
  await addUnverifiedDomain(ctx, o.org.sid, `pending${n}.com`);
  const sam = await addMember(ctx, o.org.sid, `sam@${corp}`, 'standard');
  const ann = await addMember(ctx, o.org.sid, `ann@${corp}`, 'standard');
  const other = await createOrgWithOwner(ctx, { ownerEmail: `boss@other${n}.com` });
  const taken = await addMember(ctx, other.org.sid, `taken@${corp}`, 'standard');
  return { ...o, corp, blocked, sam, ann, other, taken };
}

beforeAll(async () => { ctx = await createTestContext(); });
afterAll(async () => { await ctx.close(); });

describe('bulkImport.importUsers (B1, B2)', () => {
  it('R-B1: refused until the operator enables it, whatever the file holds', async () => {
    const s = await setting();
    await expect(ctx.services.bulkImport.importUsers(s.ownerActor, s.org.sid, `email\nnew@${s.corp}\n`)).rejects.toMatchObject({ code: 'bulk_import_disabled' });
    await expect(ctx.services.bulkImport.importUsers(s.ownerActor, s.org.sid, '"unclosed')).rejects.toMatchObject({ code: 'bulk_import_disabled' });
    expect(await ctx.store.read.users.getByEmail(`new@${s.corp}`)).toBeUndefined();
  });

  it('R-B2: a mixed file: good rows applied, each bad row reported with its line and reason; a second run changes nothing', async () => {
    const s = await setting();
    await setOrgSettings(ctx, s.org.sid, { bulkImportEnabled: true });
    const lines = [
      'Email,Role,Name', //                                 1
      `alice@${s.corp},admin,Alice Able`, //                2 applied (admin)
      `bob@${s.corp},,`, //                                 3 applied (standard)
      'not-an-email,standard,', //                          4 invalid_input
      `carol@pending${n}.com,standard,`, //                 5 domain_not_verified (registered, never verified)
      'dave@gmail.com,standard', //                         6 domain_not_verified (common domain, D7)
      `eve@${s.blocked},standard`, //                       7 domain_blocked (D6)
      `taken@${s.corp},standard`, //                        8 member_of_other_org (U1)
      `ALICE@${s.corp},standard`, //                        9 duplicate in the file
      `frank@${s.corp},superuser`, //                      10 unknown role
      '', //                                               11 blank
      `greg@${s.corp},standard,"Two`, //                   12 invalid_input: a name cannot hold a line break
      'lines"', //                                         13 (continuation of line 12)
      `hal@${s.corp},standard,"Smith, ""Hal"""`, //        14 applied, quoted name with a comma and quotes
      `sam@${s.corp},standard`, //                         15 skipped: already a member with that role
      `owner@${s.corp},admin`, //                          16 owner_required (O2)
      `ann@${s.corp},admin`, //                            17 applied: role changed
      `dave@stage.${s.corp},standard`, //                  18 domain_not_verified (D5: subdomain)
    ];
    const csv = `\uFEFF${lines.join('\r\n')}\r\n`;
    const progress: [number, number][] = [];
    const result = await ctx.services.bulkImport.importUsers(asUser(await addMember(ctx, s.org.sid, `admin@${s.corp}`, 'admin')), s.org.sid, csv, {
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(result.applied.map((a) => [a.line, a.email, a.role, a.action])).toEqual([
      [2, `alice@${s.corp}`, 'admin', 'added'],
      [3, `bob@${s.corp}`, 'standard', 'added'],
      [14, `hal@${s.corp}`, 'standard', 'added'],
      [17, `ann@${s.corp}`, 'admin', 'role_changed'],
    ]);
    expect(result.skipped).toEqual([{ line: 15, email: `sam@${s.corp}`, reason: 'already_member' }]);
    expect(result.errors.map((e) => [e.line, e.code])).toEqual([
      [4, 'invalid_input'], [5, 'domain_not_verified'], [6, 'domain_not_verified'], [7, 'domain_blocked'],
      [8, 'member_of_other_org'], [9, 'invalid_input'], [10, 'invalid_input'], [12, 'invalid_input'], [16, 'owner_required'],
      [18, 'domain_not_verified'],
    ]);
    expect(result.errors.every((e) => e.message.length > 10)).toBe(true);
    expect(progress.at(-1)).toEqual([15, 15]);

    // Applied: managed users of the organization with the role asked for; the name kept.
    const alice = await ctx.store.read.users.getByEmail(`alice@${s.corp}`);
    expect(alice).toMatchObject({ orgSid: s.org.sid, role: 'admin', displayName: 'Alice Able' });
    expect(await ctx.store.read.users.getByEmail(`hal@${s.corp}`)).toMatchObject({ displayName: 'Smith, "Hal"', role: 'standard' });
    expect((await ctx.store.read.users.getByEmail(`ann@${s.corp}`))?.role).toBe('admin');
    // Refused rows changed nothing.
    expect((await ctx.store.read.users.getByEmail(`taken@${s.corp}`))?.orgSid).toBe(s.other.org.sid);
    for (const email of [`eve@${s.blocked}`, 'dave@gmail.com', `frank@${s.corp}`, `greg@${s.corp}`]) expect(await ctx.store.read.users.getByEmail(email)).toBeUndefined();
    expect((await ctx.store.read.users.getByEmail(`owner@${s.corp}`))?.role).toBe('owner');

    // A welcome mail with a single-use set-password link valid 24 hours.
    const token = await lastLinkTo(ctx, `alice@${s.corp}`, '/password-reset/');
    const stored = await ctx.store.read.tokens.peek(hashToken(token), 'password_reset', ctx.clock.now());
    expect(stored).toMatchObject({ subject: alice!.sid, orgSid: s.org.sid });
    expect(stored!.expiresAt.getTime() - ctx.clock.now().getTime()).toBe(24 * 60 * 60 * 1000);

    // Audited: each join, the role change and the import itself.
    const log = await ctx.store.read.audit.list(s.org.sid, { limit: 1000 });
    expect(log.filter((e) => e.action === 'user.joined').map((e) => (e.after as { path: string }).path)).toEqual(['import', 'import', 'import']);
    expect(log.filter((e) => e.action === 'user.role_changed')).toHaveLength(1);
    expect(log.find((e) => e.action === 'users.bulk_imported')?.after).toEqual({ applied: 4, skipped: 1, errors: 10 });

    // B2: the same file again changes nothing.
    const mails = (await ctx.store.read.outbox.listTo(`alice@${s.corp}`)).length;
    const again = await ctx.services.bulkImport.importUsers(s.ownerActor, s.org.sid, csv);
    expect(again.applied).toEqual([]);
    expect(again.skipped.map((k) => k.line)).toEqual([2, 3, 14, 15, 17]);
    expect(again.errors.map((e) => [e.line, e.code])).toEqual(result.errors.map((e) => [e.line, e.code]));
    expect((await ctx.store.read.outbox.listTo(`alice@${s.corp}`)).length).toBe(mails);
    expect((await ctx.store.read.audit.list(s.org.sid, { limit: 1000 })).length).toBe(log.length);
  });

  it('R-B2: LF line ends and a file without the optional columns; an existing user without organization joins', async () => {
    const s = await setting();
    await setOrgSettings(ctx, s.org.sid, { bulkImportEnabled: true });
    const lone = await addLoneUser(ctx, `lone@${s.corp}`);
    const result = await ctx.services.bulkImport.importUsers(OPERATOR, s.org.sid, `EMAIL\n\n\nzoe@${s.corp}\nlone@${s.corp}`);
    expect(result.applied).toMatchObject([
      { line: 4, email: `zoe@${s.corp}`, role: 'standard', action: 'added' },
      { line: 5, email: `lone@${s.corp}`, userSid: lone.sid, action: 'added' },
    ]);
    // They never had a password, so they get the link to set one too.
    await expect(lastLinkTo(ctx, lone.email, '/password-reset/')).resolves.toBeTruthy();
  });

  it.each([
    ['not CSV (an unclosed quote)', 'email,role\n"broken@x.com,admin\n'],
    ['no email column', 'mail,role\nx@y.com,admin\n'],
    ['an empty file', ''],
    ['a header and no rows', 'email,role\n\n'],
  ])('R-B2: a file that is %s is refused as a whole with invalid_input', async (_label, csv) => {
    const s = await setting();
    await setOrgSettings(ctx, s.org.sid, { bulkImportEnabled: true });
    await expect(ctx.services.bulkImport.importUsers(s.ownerActor, s.org.sid, csv)).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('R-O3: a Standard User cannot import; another organization gets not_found', async () => {
    const s = await setting();
    await setOrgSettings(ctx, s.org.sid, { bulkImportEnabled: true });
    await expect(ctx.services.bulkImport.importUsers(asUser(s.sam), s.org.sid, `email\nx@${s.corp}\n`)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(ctx.services.bulkImport.importUsers(s.other.ownerActor, s.org.sid, `email\nx@${s.corp}\n`)).rejects.toMatchObject({ code: 'not_found' });
  });
});
