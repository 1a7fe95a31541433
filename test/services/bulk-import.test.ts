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
      `greg@${s.corp},standard,"Two`, //                   12 invalid_input: a quote not closed on its line
      'lines"', //                                         13 invalid_input: a stray quote
      `hal@${s.corp},standard,"Smith, ""Hal"""`, //        14 applied, quoted name with a comma and quotes
      `sam@${s.corp},standard`, //                         15 skipped: already a member with that role
      `owner@${s.corp},admin`, //                          16 owner_required (O2)
      `ann@${s.corp},admin`, //                            17 skipped: a member keeps their role (no updateRoles)
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
    ]);
    expect(result.skipped).toEqual([
      { line: 15, email: `sam@${s.corp}`, reason: 'already_member', role: 'standard' },
      { line: 16, email: `owner@${s.corp}`, reason: 'role_not_updated', role: 'owner', requestedRole: 'admin' },
      { line: 17, email: `ann@${s.corp}`, reason: 'role_not_updated', role: 'standard', requestedRole: 'admin' },
    ]);
    expect(result.errors.map((e) => [e.line, e.code])).toEqual([
      [4, 'invalid_input'], [5, 'domain_not_verified'], [6, 'domain_not_verified'], [7, 'domain_blocked'],
      [8, 'member_of_other_org'], [9, 'invalid_input'], [10, 'invalid_input'], [12, 'invalid_input'], [13, 'invalid_input'],
      [18, 'domain_not_verified'],
    ]);
    expect(result.errors.every((e) => e.message.length > 10)).toBe(true);
    expect(result).toMatchObject({ interrupted: false, remaining: 0 });
    expect(progress.at(-1)).toEqual([16, 16]);

    // Applied: managed users of the organization with the role asked for; the name kept.
    const alice = await ctx.store.read.users.getByEmail(`alice@${s.corp}`);
    expect(alice).toMatchObject({ orgSid: s.org.sid, role: 'admin', displayName: 'Alice Able' });
    expect(await ctx.store.read.users.getByEmail(`hal@${s.corp}`)).toMatchObject({ displayName: 'Smith, "Hal"', role: 'standard' });
    expect((await ctx.store.read.users.getByEmail(`ann@${s.corp}`))?.role).toBe('standard');
    // Refused rows changed nothing.
    expect((await ctx.store.read.users.getByEmail(`taken@${s.corp}`))?.orgSid).toBe(s.other.org.sid);
    for (const email of [`eve@${s.blocked}`, 'dave@gmail.com', `frank@${s.corp}`, `greg@${s.corp}`]) expect(await ctx.store.read.users.getByEmail(email)).toBeUndefined();
    expect((await ctx.store.read.users.getByEmail(`owner@${s.corp}`))?.role).toBe('owner');

    // A welcome mail with a single-use set-password link valid 24 hours.
    const token = await lastLinkTo(ctx, `alice@${s.corp}`, '/password-reset/');
    const stored = await ctx.store.read.tokens.peek(hashToken(token), 'password_reset', ctx.clock.now());
    expect(stored).toMatchObject({ subject: alice!.sid, orgSid: s.org.sid });
    expect(stored!.expiresAt.getTime() - ctx.clock.now().getTime()).toBe(24 * 60 * 60 * 1000);

    // Audited: each join and the import itself.
    const log = await ctx.store.read.audit.list(s.org.sid, { limit: 1000 });
    expect(log.filter((e) => e.action === 'user.joined').map((e) => (e.after as { path: string }).path)).toEqual(['import', 'import', 'import']);
    expect(log.filter((e) => e.action === 'user.role_changed')).toHaveLength(0);
    expect(log.find((e) => e.action === 'users.bulk_imported')?.after).toEqual({ applied: 3, skipped: 3, errors: 10 });

    // B2: the same file again changes nothing.
    const mails = (await ctx.store.read.outbox.listTo(`alice@${s.corp}`)).length;
    const again = await ctx.services.bulkImport.importUsers(s.ownerActor, s.org.sid, csv);
    expect(again.applied).toEqual([]);
    expect(again.skipped.map((k) => k.line)).toEqual([2, 3, 14, 15, 16, 17]);
    expect(again.errors.map((e) => [e.line, e.code])).toEqual(result.errors.map((e) => [e.line, e.code]));
    expect((await ctx.store.read.outbox.listTo(`alice@${s.corp}`)).length).toBe(mails);
    expect((await ctx.store.read.audit.list(s.org.sid, { limit: 1000 })).length).toBe(log.length);

    // Asked to update roles: Ann becomes Administrator (audited); the Owner's role still never changes (O2).
    const updated = await ctx.services.bulkImport.importUsers(s.ownerActor, s.org.sid, csv, { updateRoles: true });
    expect(updated.applied.map((a) => [a.line, a.email, a.role, a.action])).toEqual([[17, `ann@${s.corp}`, 'admin', 'role_changed']]);
    expect(updated.errors.find((e) => e.line === 16)?.code).toBe('owner_required');
    expect((await ctx.store.read.users.getByEmail(`ann@${s.corp}`))?.role).toBe('admin');
    expect((await ctx.store.read.users.getByEmail(`owner@${s.corp}`))?.role).toBe('owner');
    const changed = (await ctx.store.read.audit.list(s.org.sid, { limit: 1000 })).filter((e) => e.action === 'user.role_changed');
    expect(changed.map((e) => [e.target, e.before, e.after])).toEqual([[s.ann.sid, { role: 'standard' }, { role: 'admin', path: 'import' }]]);
  });

  it('R-B2: an Administrator listed as standard stays Administrator and is reported unchanged', async () => {
    const s = await setting();
    await setOrgSettings(ctx, s.org.sid, { bulkImportEnabled: true });
    const ada = await addMember(ctx, s.org.sid, `ada@${s.corp}`, 'admin');
    const result = await ctx.services.bulkImport.importUsers(OPERATOR, s.org.sid, `email,role\nada@${s.corp},standard\nnew@${s.corp},standard\n`);
    expect(result.skipped).toEqual([{ line: 2, email: `ada@${s.corp}`, reason: 'role_not_updated', role: 'admin', requestedRole: 'standard' }]);
    expect(result.applied.map((a) => a.email)).toEqual([`new@${s.corp}`]);
    expect((await ctx.store.read.users.get(ada.sid))?.role).toBe('admin');
  });

  it('R-B2: CSV errors are reported per line and the good rows still apply; extra columns are errors for their row', async () => {
    const s = await setting();
    await setOrgSettings(ctx, s.org.sid, { bulkImportEnabled: true });
    const csv = [
      'email,role,name',
      `one@${s.corp},standard,One`, //          2 applied
      `"two@${s.corp},admin,Two`, //            3 unclosed quote
      `three@${s.corp},admin,Three,surplus`, // 4 extra column
      `four@${s.corp},admin,Fo"ur`, //          5 stray quote
      `five@${s.corp},admin,Five`, //           6 applied
    ].join('\n');
    const result = await ctx.services.bulkImport.importUsers(OPERATOR, s.org.sid, csv);
    expect(result.applied.map((a) => [a.line, a.email])).toEqual([[2, `one@${s.corp}`], [6, `five@${s.corp}`]]);
    expect(result.errors.map((e) => [e.line, e.code])).toEqual([[3, 'invalid_input'], [4, 'invalid_input'], [5, 'invalid_input']]);
    expect(result.errors[1]!.message).toContain('4 fields');
    for (const name of ['two', 'three', 'four']) expect(await ctx.store.read.users.getByEmail(`${name}@${s.corp}`)).toBeUndefined();
  });

  it.each([['semicolons', ';'], ['tabs', '\t']])('R-B2: a file separated by %s is read', async (_label, separator) => {
    const s = await setting();
    await setOrgSettings(ctx, s.org.sid, { bulkImportEnabled: true });
    const csv = [['Email', 'Role', 'Name'], [`semi@${s.corp}`, 'admin', 'Semi, Colon']].map((r) => r.join(separator)).join('\r\n');
    const result = await ctx.services.bulkImport.importUsers(OPERATOR, s.org.sid, csv);
    expect(result.applied).toMatchObject([{ line: 2, email: `semi@${s.corp}`, role: 'admin' }]);
    expect(await ctx.store.read.users.getByEmail(`semi@${s.corp}`)).toMatchObject({ displayName: 'Semi, Colon', role: 'admin' });
  });

  it('R-B2: a pending invitation of an imported person is used up: its link no longer works', async () => {
    const s = await setting();
    await setOrgSettings(ctx, s.org.sid, { bulkImportEnabled: true });
    const invitation = await ctx.services.invitations.invite(s.ownerActor, s.org.sid, { email: `invited@${s.corp}`, role: 'admin' });
    const token = await lastLinkTo(ctx, `invited@${s.corp}`, '/invitations/');
    const result = await ctx.services.bulkImport.importUsers(OPERATOR, s.org.sid, `email,role\ninvited@${s.corp},standard\n`);
    expect(result.applied).toMatchObject([{ email: `invited@${s.corp}`, role: 'standard', action: 'added', invitationId: invitation.invitationId }]);
    expect((await ctx.services.invitations.listPending(s.ownerActor, s.org.sid)).map((i) => i.email)).not.toContain(`invited@${s.corp}`);
    await expect(ctx.services.invitations.accept(token)).rejects.toMatchObject({ code: 'token_invalid' });
    const log = await ctx.store.read.audit.list(s.org.sid, { limit: 1000 });
    expect(log.find((e) => e.action === 'invitation.accepted' && e.target === invitation.invitationId)?.after)
      .toMatchObject({ email: `invited@${s.corp}`, role: 'standard', invitedRole: 'admin', path: 'import' });
  });

  it('R-B2: stopped between chunks, it keeps what it applied and says so; the same file again finishes it', async () => {
    const s = await setting();
    await setOrgSettings(ctx, s.org.sid, { bulkImportEnabled: true });
    const csv = ['email', ...Array.from({ length: 25 }, (_, i) => `p${i}@${s.corp}`)].join('\n');
    const controller = new AbortController();
    const result = await ctx.services.bulkImport.importUsers(OPERATOR, s.org.sid, csv, {
      chunkSize: 10, signal: controller.signal, onProgress: (done) => { if (done >= 10) controller.abort(); },
    });
    expect(result).toMatchObject({ interrupted: true, remaining: 15 });
    expect(result.applied.map((a) => a.line)).toEqual(Array.from({ length: 10 }, (_, i) => i + 2));
    const rest = await ctx.services.bulkImport.importUsers(OPERATOR, s.org.sid, csv, { chunkSize: 10 });
    expect(rest).toMatchObject({ interrupted: false, remaining: 0 });
    expect(rest.applied.map((a) => a.line)).toEqual(Array.from({ length: 15 }, (_, i) => i + 12));
    expect(rest.skipped).toHaveLength(10);
  });

  it('R-U1, R-B2: two imports of the same file at once add each person exactly once', async () => {
    const s = await setting();
    await setOrgSettings(ctx, s.org.sid, { bulkImportEnabled: true });
    const csv = ['email', ...Array.from({ length: 60 }, (_, i) => `race${i}@${s.corp}`)].join('\n');
    const [a, b] = await Promise.all([
      ctx.services.bulkImport.importUsers(OPERATOR, s.org.sid, csv, { chunkSize: 7 }),
      ctx.services.bulkImport.importUsers(OPERATOR, s.org.sid, csv, { chunkSize: 11 }),
    ]);
    expect([...a.errors, ...b.errors]).toEqual([]);
    expect([...a.applied, ...b.applied].map((x) => x.line).sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i + 2));
    expect(a.applied.length + a.skipped.length).toBe(60);
    expect(b.applied.length + b.skipped.length).toBe(60);
    const log = await ctx.store.read.audit.list(s.org.sid, { limit: 1000, action: 'user.joined' });
    expect(log).toHaveLength(60);
  });

  it('R-D6: a domain blocked while an import runs: no one joins through it after the block', async () => {
    const s = await setting();
    await setOrgSettings(ctx, s.org.sid, { bulkImportEnabled: true });
    const csv = ['email', ...Array.from({ length: 200 }, (_, i) => `late${i}@${s.corp}`)].join('\n');
    let blocking: Promise<unknown> | undefined;
    const result = await ctx.services.bulkImport.importUsers(OPERATOR, s.org.sid, csv, {
      chunkSize: 5,
      onProgress: (done) => { if (done >= 5 && !blocking) blocking = ctx.services.domains.setPolicy(s.ownerActor, s.org.sid, s.corp, 'blocked'); },
    });
    await blocking;
    expect(result.applied.length).toBeGreaterThanOrEqual(5);
    expect(result.errors.length).toBeGreaterThan(0);
    expect(result.errors.every((e) => e.code === 'domain_blocked')).toBe(true);
    expect(result.applied.length + result.errors.length).toBe(200);
    // Every join's audit entry precedes the policy change's: nothing was decided on the old policy after it.
    const log = await ctx.store.read.audit.list(s.org.sid, { limit: 1000 });
    const blockedAt = log.findIndex((e) => e.action === 'domain.policy_changed');
    expect(blockedAt).toBeGreaterThan(0);
    expect(log.slice(blockedAt).filter((e) => e.action === 'user.joined')).toEqual([]);
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
    ['no email column', 'mail,role\nx@y.com,admin\n'],
    ['a header with an unknown column', 'email,rolle\nx@y.com,admin\n'],
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
