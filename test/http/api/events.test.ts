/**
 * Lifecycle events and their feeds (issue 13, L1): each change writes its event in its own
 * transaction (a rolled-back change leaves none), types from the audit action, the product-wide
 * feed for the operator and the organization feed for its administrators (another organization
 * 404, a Standard User and non-operators refused), cursor paging, type filters, retention, and a
 * cursor that never skips an event committed after a later one.
 */
import request from 'supertest';
import { BUILT_IN_ROLE_SIDS } from '../../../src/rules/role-catalogue.js';
import { createTestContext, type TestContext } from '../../support/app.js';
import { addAccount, addMember, createOrgWithOwner, OPERATOR, type OrgWithOwner } from '../../support/fixtures.js';
import { apiClient, tokenFor } from './support.js';

let ctx: TestContext;
let a: OrgWithOwner;
let b: OrgWithOwner;
let operator: string;
let adminA: string;
let adminB: string;

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
type Ev = { id: string; type: string; organization: string; actor: string; data: { action: string; target: string | null } };

beforeAll(async () => {
  ctx = await createTestContext();
  a = await createOrgWithOwner(ctx, { ownerEmail: 'owner@ev-a.example' });
  b = await createOrgWithOwner(ctx, { ownerEmail: 'owner@ev-b.example' });
  operator = await tokenFor(ctx, await ctx.services.apiClients.createOperatorClient(OPERATOR, { name: 'product' }));
  adminA = await tokenFor(ctx, await apiClient(ctx, a.ownerActor, a.org.sid, 'admin'));
  adminB = await tokenFor(ctx, await apiClient(ctx, b.ownerActor, b.org.sid, 'admin'));
});
afterAll(() => ctx.close());

async function readAll(path: string, token: string, after = '0'): Promise<{ events: Ev[]; next: string }> {
  const events: Ev[] = [];
  let cursor = after;
  for (;;) {
    const sep = path.includes('?') ? '&' : '?';
    const res = await request(ctx.app).get(`${path}${sep}after=${cursor}&limit=7`).set(bearer(token)).expect(200);
    events.push(...res.body.events);
    if (res.body.next === cursor) return { events, next: cursor };
    cursor = res.body.next;
  }
}

describe('events from changes', () => {
  it('R-L1: a change writes its event in its transaction, typed from the audit action', async () => {
    const dev = await addMember(ctx, a.org.sid, 'dev@ev-a.example');
    const account = await addAccount(ctx, { orgSid: a.org.sid, ownerSid: a.owner.sid });
    const { next: start } = await readAll(`/Organizations/${a.org.sid}/Events`, adminA);
    const assigned = await ctx.services.roleAssignments.create(a.ownerActor, a.org.sid, { roleSid: BUILT_IN_ROLE_SIDS.account.Support, scope: account.sid, identity: dev.sid });
    await ctx.services.roleAssignments.delete(a.ownerActor, a.org.sid, assigned.sid);
    const { events } = await readAll(`/Organizations/${a.org.sid}/Events`, adminA, start);
    expect(events.map((e) => e.type)).toEqual(['role_assignment.created', 'role_assignment.deleted']);
    expect(events[0]).toMatchObject({ id: expect.stringMatching(/^EV[0-9a-f]{32}$/), organization: a.org.sid, actor: a.owner.sid, data: { action: 'role_assignment.created' } });
  });

  it('R-L1: a rolled-back change leaves no event', async () => {
    const { next: start } = await readAll('/v1/Events', operator);
    await expect(ctx.store.transaction(async (repos) => {
      await repos.audit.append({ orgSid: a.org.sid, actor: 'operator', action: 'organization.renamed', target: a.org.sid, before: null, after: { name: 'x' } });
      throw new Error('rolled back');
    })).rejects.toThrow('rolled back');
    expect((await readAll('/v1/Events', operator, start)).events).toEqual([]);
  });
});

describe('feeds', () => {
  it('the operator reads every organization; types and organization filter; organizations read only theirs', async () => {
    const { next: start } = await readAll('/v1/Events', operator);
    await addMember(ctx, b.org.sid, 'm@ev-b.example');
    await ctx.services.domains.add(a.ownerActor, a.org.sid, 'ev-a.example');
    await ctx.services.domains.add(b.ownerActor, b.org.sid, 'ev-b.example');
    const all = (await readAll('/v1/Events', operator, start)).events;
    expect(all.filter((e) => e.type === 'domain.registered').map((e) => e.organization).sort()).toEqual([a.org.sid, b.org.sid].sort());
    const onlyB = (await readAll(`/v1/Events?organization=${b.org.sid}&types=domain.*`, operator, start)).events;
    expect(onlyB.map((e) => [e.organization, e.type])).toEqual([[b.org.sid, 'domain.registered']]);
    const mine = (await readAll(`/Organizations/${a.org.sid}/Events?types=domain.registered`, adminA, start)).events;
    expect(mine).toHaveLength(1);
    expect(mine[0]!.organization).toBe(a.org.sid);
  });

  it('R-U6: another organization\'s feed is 404; only the operator reads the product feed; bad input 400', async () => {
    const other = await request(ctx.app).get(`/Organizations/${a.org.sid}/Events`).set(bearer(adminB)).expect(404);
    expect(other.body.error.code).toBe('not_found');
    await request(ctx.app).get('/v1/Events').set(bearer(adminA)).expect(403);
    await request(ctx.app).get('/v1/Events?after=abc').set(bearer(operator)).expect(400);
    await request(ctx.app).get('/v1/Events?types=DROP').set(bearer(operator)).expect(400);
    await request(ctx.app).get('/v1/Events?nope=1').set(bearer(operator)).expect(400);
  });

  it('retention: events older than the configured days leave the feed', async () => {
    const { next: start } = await readAll('/v1/Events', operator);
    await ctx.services.domains.add(a.ownerActor, a.org.sid, 'old.ev-a.example');
    expect((await readAll('/v1/Events', operator, start)).events).toHaveLength(1);
    await ctx.testDb.db.raw(`UPDATE events SET created_at = now() - interval '31 days' WHERE position > ?`, [start]);
    expect(await ctx.services.events.sweep()).toBeGreaterThanOrEqual(1);
    expect((await readAll('/v1/Events', operator, start)).events).toEqual([]);
  });
});

describe('cursor under concurrency', () => {
  it('R-L1: an event whose transaction commits after a later one is still read after the cursor passed the later one', async () => {
    const { next: start } = await readAll('/v1/Events', operator);
    if (ctx.testDb.kind === 'postgresql') {
      // Deliberate interleaving on two connections: T1 takes the lower audit id, T2 the higher;
      // T2 commits, a reader passes it; then T1 commits.
      const t1 = await ctx.testDb.db.transaction();
      const t2 = await ctx.testDb.db.transaction();
      const insert = (trx: typeof t1, name: string) => trx.raw(`INSERT INTO audit_log (org_sid, actor, action, target) VALUES (?, 'operator', 'organization.renamed', ?) RETURNING id`, [a.org.sid, name]);
      const id1 = Number((await insert(t1, 'first')).rows[0].id);
      const id2 = Number((await insert(t2, 'second')).rows[0].id);
      expect(id1).toBeLessThan(id2);
      await t2.commit();
      const seen = await readAll('/v1/Events', operator, start);
      expect(seen.events.map((e) => e.data.target)).toEqual(['second']);
      await t1.commit();
      const later = await readAll('/v1/Events', operator, seen.next);
      expect(later.events.map((e) => e.data.target)).toEqual(['first']);
    }
    // Many concurrent writers while a reader follows the feed: every event read exactly once.
    const reader = { cursor: start, seen: [] as string[] };
    const read = async () => { const page = await readAll('/v1/Events', operator, reader.cursor); reader.seen.push(...page.events.map((e) => e.id)); reader.cursor = page.next; };
    const writers = Array.from({ length: 40 }, (_, i) => ctx.store.transaction((repos) => repos.audit.append({ orgSid: i % 2 ? a.org.sid : b.org.sid, actor: 'operator', action: 'organization.renamed', target: `w${i}`, before: null, after: null })));
    // One reader follows the feed while the writers commit (one cursor, read in turn).
    let done = false;
    const following = (async () => { while (!done) await read(); })();
    await Promise.all(writers);
    done = true;
    await following;
    await read();
    expect(reader.seen.length).toBe(40 + (ctx.testDb.kind === 'postgresql' ? 2 : 0));
    expect(new Set(reader.seen).size).toBe(reader.seen.length);
  });
});
