/**
 * The user list's one-statement search (issue 10, store/member-search.ts) against a reference: the
 * database's own `lower(column) LIKE lower('prefix%')` over users and memberships, in the list's
 * order (email matches by lower(email) in C order, then display-name-only matches by (name, SID)).
 * The search keys live on the membership row (migration 20261208300000): they must follow every
 * change of a user's email or display name, and prefix ranges must be exact at the ends of Unicode.
 */
import { newSid } from '../../src/ids.js';
import type { MemberCursor, MemberSearch } from '../../src/store/users.js';
import type { Role, UserStatus } from '../../src/types.js';
import { createTestContext, type TestContext } from '../support/app.js';

let ctx: TestContext;
const orgSid = newSid('OR');
const otherSid = newSid('OR');

async function person(org: string, email: string, displayName: string | null, role: Role = 'standard', status: UserStatus = 'active'): Promise<string> {
  const sid = newSid('US');
  await ctx.store.transaction(async (repos) => {
    await repos.users.insert({ sid, email, displayName });
    if (status !== 'active') await repos.users.update(sid, { status });
    await repos.users.join(sid, org, role);
  });
  return sid;
}

/** The reference: LIKE with the prefix's wildcards escaped, in the list's order. */
async function reference(org: string, prefix: string | undefined, filters: { role?: Role; status?: UserStatus } = {}): Promise<string[]> {
  const pattern = prefix === undefined ? undefined : `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const where = `m.org_sid = ?${filters.role ? ' AND m.role = ?' : ''}${filters.status ? ' AND u.status = ?' : ''}`;
  const params = [org, ...(filters.role ? [filters.role] : []), ...(filters.status ? [filters.status] : [])];
  const db = ctx.testDb.db;
  const emailRows = (await db.raw(`SELECT u.sid FROM users u JOIN memberships m ON m.user_sid = u.sid WHERE ${where}
    ${pattern === undefined ? '' : 'AND lower(u.email) COLLATE "C" LIKE lower(?)'} ORDER BY lower(u.email) COLLATE "C"`,
  [...params, ...(pattern === undefined ? [] : [pattern])])).rows as { sid: string }[];
  if (pattern === undefined) return emailRows.map((r) => r.sid);
  const nameRows = (await db.raw(`SELECT u.sid FROM users u JOIN memberships m ON m.user_sid = u.sid WHERE ${where}
    AND u.display_name IS NOT NULL AND lower(u.display_name) COLLATE "C" LIKE lower(?) AND NOT (lower(u.email) COLLATE "C" LIKE lower(?))
    ORDER BY lower(u.display_name) COLLATE "C", u.sid`, [...params, pattern, pattern])).rows as { sid: string }[];
  return [...emailRows, ...nameRows].map((r) => r.sid);
}

/** Every page of a search, following the cursor. */
async function pages(org: string, search: Omit<MemberSearch, 'limit' | 'after'>, limit: number): Promise<string[]> {
  const seen: string[] = [];
  let after: MemberCursor | undefined;
  for (let i = 0; i < 200; i++) {
    const page = await ctx.store.read.users.searchMembers(org, { ...search, limit, ...(after && { after }) });
    expect(page.orgFound).toBe(true);
    expect(page.members.length).toBeLessThanOrEqual(limit);
    seen.push(...page.members.map((m) => m.sid));
    if (page.next === null) return seen;
    after = page.next;
  }
  throw new Error('the pages did not end');
}

beforeAll(async () => {
  ctx = await createTestContext();
  await ctx.store.transaction(async (repos) => {
    await repos.organizations.insert({ sid: orgSid, name: 'Search' });
    await repos.organizations.insert({ sid: otherSid, name: 'Other' });
  });
  await person(orgSid, 'owner@search.test', 'Owner Person', 'owner');
  await person(otherSid, 'owner@other.test', 'Other Owner', 'owner');
  const names = ['Ann Lee', 'ann Marie', 'Anna Karenina', 'Bob Annson', 'Ünal Öz', 'ünal Berg', 'Zoë_Percent%', null, 'x\u{D7FF}a', 'x\u{E000}b', 'x\u{10FFFF}q', 'x\u{10FFFF}', 'y', '\u{10FFFF}\u{10FFFF}z', 'Same Name', 'Same Name', 'Same Name'];
  let i = 0;
  for (const name of names) {
    i += 1;
    await person(orgSid, `${i % 2 ? 'Ann' : 'bob'}.${i}@search.test`, name, i % 5 === 0 ? 'admin' : 'standard', i % 4 === 0 ? 'suspended' : 'active');
  }
  // Another organization's members match the same prefixes and never appear (U6).
  await person(otherSid, 'ann.other@other.test', 'Ann Other');
  await person(otherSid, 'same@other.test', 'Same Name');
});
afterAll(async () => { await ctx.close(); });

describe('user list search (one statement, keys on the membership)', () => {
  const prefixes = [undefined, 'a', 'ANN', 'ann.1', 'bob', 'ü', 'ÜNAL', 'zoë_', 'zoë%', '%', '_', 'x\u{D7FF}', 'x\u{10FFFF}', '\u{10FFFF}', '\u{10FFFF}\u{10FFFF}', 'same name', 'nobody'];

  it('pages through exactly what LIKE finds, in the list order, at every page size', async () => {
    for (const prefix of prefixes) {
      const expected = await reference(orgSid, prefix);
      for (const limit of [1, 2, 3, 50]) {
        expect({ prefix, limit, sids: await pages(orgSid, prefix === undefined ? {} : { prefix }, limit) }).toEqual({ prefix, limit, sids: expected });
      }
    }
    // The fixtures do exercise both phases and the Unicode ends.
    expect((await reference(orgSid, 'ann')).length).toBeGreaterThan(8);
    expect(await reference(orgSid, 'x\u{10FFFF}')).toHaveLength(2);
    expect(await reference(orgSid, '\u{10FFFF}')).toHaveLength(1);
  });

  it('reads the previous page backwards: from the last page back to the first, the same pages as forwards', async () => {
    for (const prefix of prefixes) {
      for (const limit of [1, 2, 3]) {
        const search = prefix === undefined ? {} : { prefix };
        const forward: string[][] = [];
        let page = await ctx.store.read.users.searchMembers(orgSid, { ...search, limit });
        expect(page.previous).toBeNull();
        forward.push(page.members.map((m) => m.sid));
        while (page.next !== null) {
          page = await ctx.store.read.users.searchMembers(orgSid, { ...search, limit, after: page.next });
          forward.push(page.members.map((m) => m.sid));
        }
        const backward: string[][] = [page.members.map((m) => m.sid)];
        for (let i = 0; page.previous !== null && i < 200; i++) {
          page = await ctx.store.read.users.searchMembers(orgSid, { ...search, limit, before: page.previous });
          backward.unshift(page.members.map((m) => m.sid));
        }
        expect({ prefix, limit, pages: backward }).toEqual({ prefix, limit, pages: forward });
      }
    }
  });

  it('filters by role and status as LIKE does', async () => {
    for (const filters of [{ role: 'admin' as const }, { status: 'suspended' as const }, { role: 'standard' as const, status: 'active' as const }]) {
      for (const prefix of [undefined, 'ann', 'same']) {
        const expected = await reference(orgSid, prefix, filters);
        expect({ filters, prefix, sids: await pages(orgSid, { ...filters, ...(prefix && { prefix }) }, 2) }).toEqual({ filters, prefix, sids: expected });
      }
    }
  });

  it('R-U6: finds a member by SID only in their own organization', async () => {
    const sid = await person(otherSid, 'sid.only@other.test', null);
    expect((await ctx.store.read.users.searchMembers(otherSid, { sid, limit: 5 })).members.map((m) => m.sid)).toEqual([sid]);
    expect((await ctx.store.read.users.searchMembers(orgSid, { sid, limit: 5 })).members).toEqual([]);
  });

  it('returns members as users.get does (dates to the millisecond)', async () => {
    const page = await ctx.store.read.users.searchMembers(orgSid, { prefix: 'ann', limit: 50 });
    for (const member of page.members) expect(member).toEqual(await ctx.store.read.users.get(member.sid));
  });

  it('keeps the keys in step when a user changes email or display name, or joins anew', async () => {
    const sid = await person(orgSid, 'before@search.test', 'Keyed Before');
    await ctx.store.transaction((repos) => repos.users.update(sid, { email: 'AFTER@search.test', displayName: 'Renamed Later' }));
    for (const [prefix, found] of [['before', false], ['keyed', false], ['after', true], ['renamed', true]] as const) {
      expect({ prefix, found: (await pages(orgSid, { prefix }, 5)).includes(sid) }).toEqual({ prefix, found });
      expect(await pages(orgSid, { prefix }, 5)).toEqual(await reference(orgSid, prefix));
    }
    await ctx.store.transaction((repos) => repos.users.update(sid, { displayName: null }));
    expect((await pages(orgSid, { prefix: 'renamed' }, 5))).toEqual([]);
    // Leaving and joining another organization carries the keys along.
    await ctx.store.transaction(async (repos) => {
      await repos.users.leave(sid, orgSid);
      await repos.users.join(sid, otherSid, 'standard');
    });
    expect(await pages(orgSid, { prefix: 'after' }, 5)).toEqual([]);
    expect(await pages(otherSid, { prefix: 'after' }, 5)).toEqual([sid]);
  });

  it('says whether the organization exists (unknown or merged away: not found)', async () => {
    expect((await ctx.store.read.users.searchMembers(newSid('OR'), { limit: 5 })).orgFound).toBe(false);
    const merged = newSid('OR');
    await ctx.store.transaction(async (repos) => {
      await repos.organizations.insert({ sid: merged, name: 'Merged' });
      await repos.organizations.update(merged, { mergedIntoSid: orgSid });
    });
    expect((await ctx.store.read.users.searchMembers(merged, { prefix: 'a', limit: 5 })).orgFound).toBe(false);
  });
});
