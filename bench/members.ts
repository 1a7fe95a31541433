/**
 * The seeded organization of the user-list benchmarks (admin-pages, api-users): members with
 * realistic names inserted set-based (one statement per table and organization), a second
 * organization a fifth of the size (so queries must filter by organization), and random searches
 * as people type them.
 */
import { newSid } from '../src/ids.js';
import type { Db } from '../src/store/db.js';
import type { Store } from '../src/store/index.js';

const FIRST = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'niaj', 'olivia', 'peggy', 'rupert', 'sybil', 'trent', 'victor', 'walter', 'yvonne'];
const LAST = ['smith', 'jones', 'brown', 'lee', 'khan', 'garcia', 'muller', 'rossi', 'novak', 'sato', 'kim', 'silva', 'dubois', 'nagy', 'olsen', 'papas', 'quinn', 'reyes', 'tanaka', 'wong'];
const sqlList = (xs: readonly string[]) => `ARRAY[${xs.map((x) => `'${x}'`).join(',')}]`;

/** A random search, as people type them: a first-name prefix, a last-name prefix, or a longer email prefix. */
export function randomSearch(): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(Math.random() * xs.length)]!;
  const kind = Math.random();
  if (kind < 0.4) return pick(FIRST).slice(0, 3);
  if (kind < 0.8) return pick(LAST).slice(0, 3);
  return `${pick(FIRST)}.${pick(LAST)}${1 + Math.floor(Math.random() * 99)}`;
}

export interface SeededMembers { readonly orgSid: string; readonly otherSid: string; readonly ownerSid: string }

/**
 * `users` members in one organization (its Owner, 1 in 40 an admin, 1 in 50 suspended) and
 * `users / 5` in another; the caller ANALYZEs (or VACUUMs) as its measurement needs.
 */
export async function seedMembers(db: Db, store: Store, users: number): Promise<SeededMembers> {
  const orgSid = newSid('OR');
  const otherSid = newSid('OR');
  const ownerSid = newSid('US');
  await store.transaction(async (repos) => {
    await repos.organizations.insert({ sid: orgSid, name: 'Bench' });
    await repos.organizations.insert({ sid: otherSid, name: 'Other' });
    await repos.users.insert({ sid: ownerSid, email: 'owner@bench-users.test' });
    await repos.users.join(ownerSid, orgSid, 'owner');
    await repos.users.insert({ sid: newSid('US'), email: 'owner@other-users.test' }).then((u) => repos.users.join(u.sid, otherSid, 'owner'));
  });
  const seed = async (org: string, tag: string, count: number) => {
    await db.raw(`
      INSERT INTO users (sid, email, display_name, status)
      SELECT 'US' || md5(? || g), f || '.' || l || g || '@' || ? || '.test',
             initcap(l) || ' ' || initcap(f), CASE WHEN g % 50 = 0 THEN 'suspended' ELSE 'active' END
      FROM generate_series(1, ?) g,
           LATERAL (SELECT (${sqlList(FIRST)})[1 + g % ${FIRST.length}] AS f, (${sqlList(LAST)})[1 + (g / ${FIRST.length}) % ${LAST.length}] AS l) n`, [tag, tag, count]);
    await db.raw(`
      INSERT INTO memberships (user_sid, org_sid, role)
      SELECT 'US' || md5(? || g), ?, CASE WHEN g % 40 = 0 THEN 'admin' ELSE 'standard' END FROM generate_series(1, ?) g`, [tag, org, count]);
  };
  await seed(orgSid, 'bench', users);
  await seed(otherSid, 'other', Math.floor(users / 5));
  return { orgSid, otherSid, ownerSid };
}
