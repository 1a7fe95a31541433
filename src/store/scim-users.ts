/**
 * SCIM Users: the members of an organization (memberships + users) with the SCIM attributes their
 * IdP sent (scim_users). Every query is bound to one organization (C1). Lists are filtered, sorted
 * and paged in SQL, with an exact count.
 */
import type { Knex } from 'knex';
import { rawQuery } from './scim-sql.js';
import type { DomainSnapshot, MemberSnapshot } from '../rules/types.js';
import { batcherFor } from './scim-batch.js';
import { memberCreator } from './scim-user-create.js';
import { memberUpdater } from './scim-user-update.js';
import { externalIdLookup, userNameLookup } from './scim-user-lookup.js';
import { mapUserRow, USER_COLUMNS, type ScimUserRecord, type ScimUserRow } from './scim-user-rows.js';

export type { ScimUserRecord } from './scim-user-rows.js';
export type { ScimUserUpdate } from './scim-user-update.js';
import { CORE_USER_URN, userAttributes } from './scim-attributes.js';
import { compileFilter, compileSort, type ScimAttrPath, type ScimFilter } from './scim-filter-sql.js';

export const SCIM_USERS = 'scim_users';

/** What a list asks for: an optional filter and sort, and a page (offset from 0). */
export interface ScimListQuery {
  readonly filter?: ScimFilter;
  readonly sortBy?: ScimAttrPath;
  readonly descending?: boolean;
  readonly offset: number;
  readonly limit: number;
  /** A search across resource types: attributes this type lacks match nothing instead of failing. */
  readonly lenient?: boolean;
}

export interface ScimPage<T> {
  readonly total: number;
  readonly records: readonly T[];
}

export interface ScimUserData {
  readonly userName: string;
  readonly externalId: string | null;
  readonly attributes: Readonly<Record<string, unknown>>;
}

// LEFT JOINs that a query does not use are removed by the planner (unique join keys), so counting
// and deep offsets touch only the memberships index.
const FROM = `memberships m LEFT JOIN users u ON u.sid = m.user_sid
  LEFT JOIN scim_users su ON su.org_sid = m.org_sid AND su.user_sid = m.user_sid`;

const POINT_FROM = `memberships m JOIN users u ON u.sid = m.user_sid
  LEFT JOIN scim_users su ON su.org_sid = m.org_sid AND su.user_sid = m.user_sid`;

/** Index lookup by id (same rows as the general query); userName and externalId, batched: scim-user-lookup.ts. */
const POINT_QUERIES = {
  id: `SELECT ${USER_COLUMNS} FROM ${POINT_FROM} WHERE m.org_sid = ? AND m.user_sid = ?`,
} as const;

/** `userName eq "x"`, `externalId eq "x"` or `id eq "x"` with no sort: answered by an index lookup. */
function pointLookup(query: ScimListQuery): { attr: keyof typeof POINT_QUERIES | 'username' | 'externalid'; value: string } | undefined {
  const f = query.filter;
  if (!f || query.sortBy || f.kind !== 'compare' || f.op !== 'eq' || f.path.sub !== null || typeof f.value !== 'string') return undefined;
  if (f.path.schema !== null && f.path.schema !== CORE_USER_URN.toLowerCase()) return undefined;
  return f.path.attr === 'username' || f.path.attr === 'externalid' || f.path.attr === 'id' ? { attr: f.path.attr, value: f.value } : undefined;
}

// Members by SID, for each (organization, user) asked, in one statement (batched under load).
const BY_SID = `SELECT q.ord, ${USER_COLUMNS}
  FROM unnest(CAST(? AS text[]), CAST(? AS text[])) WITH ORDINALITY AS q(org_sid, user_sid, ord)
    JOIN memberships m ON m.org_sid = q.org_sid AND m.user_sid = q.user_sid
    JOIN users u ON u.sid = m.user_sid
    LEFT JOIN scim_users su ON su.org_sid = m.org_sid AND su.user_sid = m.user_sid`;

/** What the enrollment rule needs about a person: the user with the email (and membership), the verified domain. */
export interface EnrollmentFacts { readonly member: MemberSnapshot | null; readonly domain: DomainSnapshot | null }

// D5, D6, D7, U1: for each (email, domain) asked, in one statement (batched under load).
const ENROLLMENT_FACTS = `SELECT q.ord,
    (SELECT json_build_object('userSid', u.sid, 'email', u.email, 'status', u.status, 'orgSid', m.org_sid, 'role', m.role)
       FROM users u LEFT JOIN memberships m ON m.user_sid = u.sid WHERE lower(u.email) = lower(q.email)) AS member,
    (SELECT json_build_object('name', d.name, 'orgSid', d.org_sid, 'verified', true, 'policy', d.policy, 'ssoEnforced', d.sso_enforced)
       FROM domains d WHERE lower(d.name) = lower(q.domain) AND d.verified_at IS NOT NULL) AS domain
  FROM unnest(CAST(? AS text[]), CAST(? AS text[])) WITH ORDINALITY AS q(email, domain, ord)`;

export function scimUserStore(db: Knex | Knex.Transaction) {
  const raw = rawQuery(db);
  const byUserName = userNameLookup(db);
  const byExternalId = externalIdLookup(db);
  const facts = batcherFor(db, 'enrollmentFacts', async (asked: readonly (readonly [string, string])[]): Promise<EnrollmentFacts[]> => {
    const { rows } = await raw(ENROLLMENT_FACTS, [asked.map((a) => a[0]), asked.map((a) => a[1])]);
    const parse = <T>(v: T | string | null): T | null => (typeof v === 'string' ? JSON.parse(v) as T : v);
    const answers: EnrollmentFacts[] = asked.map(() => ({ member: null, domain: null }));
    for (const r of rows as { ord: string; member: MemberSnapshot | string | null; domain: DomainSnapshot | string | null }[]) {
      answers[Number(r.ord) - 1] = { member: parse(r.member), domain: parse(r.domain) };
    }
    return answers;
  });
  const bySid = batcherFor(db, 'userSid', async (asked: readonly (readonly [string, string])[]): Promise<(ScimUserRecord | undefined)[]> => {
    const { rows } = await raw(BY_SID, [asked.map((a) => a[0]), asked.map((a) => a[1])]);
    const found = new Map((rows as (ScimUserRow & { ord: string })[]).map((r) => [Number(r.ord), mapUserRow(r)]));
    return asked.map((_a, i) => found.get(i + 1));
  });
  return {
    /** One page of the organization's members matching the query, and how many match in all. */
    async list(orgSid: string, query: ScimListQuery): Promise<ScimPage<ScimUserRecord>> {
      const lookup = pointLookup(query);
      if (lookup) {
        // userName/externalId/id eq: the IdPs' lookup before every create. At most a few rows, all read at once.
        const rows = lookup.attr === 'username' ? await byUserName(orgSid, lookup.value)
          : lookup.attr === 'externalid' ? await byExternalId(orgSid, lookup.value)
            : (await raw(POINT_QUERIES[lookup.attr], [orgSid, lookup.value])).rows as ScimUserRow[];
        return { total: rows.length, records: rows.slice(query.offset, query.offset + query.limit).map(mapUserRow) };
      }
      const registry = userAttributes(orgSid);
      const where = query.filter ? compileFilter(query.filter, registry, query.lenient) : { sql: 'true', bindings: [] };
      const sortKey = query.sortBy ? compileSort(query.sortBy, registry) : null;
      const sort = sortKey ? `${sortKey} ${query.descending ? 'DESC' : 'ASC'}, ` : '';
      const base = `FROM ${FROM} WHERE m.org_sid = ? AND ${where.sql}`;
      const bindings = [orgSid, ...where.bindings];
      const count = async () => Number((await raw(`SELECT count(*) AS total ${base}`, bindings)).rows[0].total);
      if (query.limit === 0) return { total: await count(), records: [] };
      // The page is chosen on memberships alone (an index scan for deep offsets), then joined.
      const page = `SELECT ${USER_COLUMNS}
        FROM (SELECT m.user_sid ${base} ORDER BY ${sort}m.user_sid LIMIT ? OFFSET ?) p
        JOIN memberships m ON m.user_sid = p.user_sid
        JOIN users u ON u.sid = m.user_sid
        LEFT JOIN scim_users su ON su.org_sid = m.org_sid AND su.user_sid = m.user_sid
        ORDER BY ${sort}m.user_sid`;
      const [total, rows] = await Promise.all([count(), raw(page, [...bindings, query.limit, query.offset])]);
      return { total, records: (rows.rows as ScimUserRow[]).map(mapUserRow) };
    },

    async get(orgSid: string, userSid: string): Promise<ScimUserRecord | undefined> {
      return bySid([orgSid, userSid]);
    },

    /** Creates or replaces the member's SCIM row; the version moves on. */
    async save(orgSid: string, userSid: string, data: ScimUserData): Promise<void> {
      await raw(`INSERT INTO scim_users (org_sid, user_sid, user_name, external_id, attributes)
        VALUES (?, ?, ?, ?, CAST(? AS jsonb))
        ON CONFLICT (org_sid, user_sid) DO UPDATE SET user_name = excluded.user_name, external_id = excluded.external_id,
          attributes = excluded.attributes, version = scim_users.version + 1, updated_at = now()`,
      [orgSid, userSid, data.userName, data.externalId, JSON.stringify(data.attributes)]);
    },

    /**
     * What the enrollment rule needs about a person, in one query: the user with this email (and
     * their membership) and the verified domain of the email's domain part (D5, D6, D7, U1).
     */
    async enrollmentFacts(email: string, domain: string): Promise<EnrollmentFacts> {
      return facts([email, domain]);
    },

    /** C2: a new person as a provisioned Standard User, in one statement (see scim-user-create.ts). */
    createMember: memberCreator(db),

    /**
     * C3: a decided PUT or PATCH of a provisioned member in one statement, or undefined when the
     * member is no longer as the rules saw them (see scim-user-update.ts).
     */
    updateMember: memberUpdater(db),

    /** Whether another member of the organization has this userName (case-insensitive, RFC 7643 §4.1). */
    async userNameTaken(orgSid: string, userName: string, exceptUserSid: string | null): Promise<boolean> {
      const rows = (await raw(`SELECT 1 FROM scim_users WHERE org_sid = ? AND lower(user_name) = lower(?) AND user_sid IS DISTINCT FROM ? LIMIT 1`,
        [orgSid, userName, exceptUserSid])).rows as unknown[];
      return rows.length > 0;
    },
  };
}
