/**
 * SCIM Groups of one organization (C1, C5) and their members, one row per member: adding or
 * removing members is set-based SQL whose cost depends on the members named, never on the size
 * of the group. Members are always members of the group's organization (inserted from memberships).
 */
import type { Knex } from 'knex';
import { rawQuery } from './scim-sql.js';
import { groupAttributes, memberAttributes } from './scim-attributes.js';
import { compileFilter, compileSort, type ScimFilter } from './scim-filter-sql.js';
import type { ScimListQuery, ScimPage } from './scim-users.js';

export const SCIM_GROUPS = 'scim_groups';
export const SCIM_GROUP_MEMBERS = 'scim_group_members';

/** A member of a group: the user's SID and their display name (RFC 7643 §4.2 members.display). */
export interface ScimGroupMember {
  readonly userSid: string;
  /** The member's displayName, else their userName (as their User resource shows them). */
  readonly display: string;
}

export interface ScimGroupRecord {
  readonly id: string;
  readonly orgSid: string;
  readonly displayName: string;
  readonly externalId: string | null;
  /** Members in a stable order (by SID); null when not loaded (excludedAttributes=members). */
  readonly members: readonly ScimGroupMember[] | null;
  readonly created: Date;
  readonly lastModified: Date;
  readonly version: string;
}

/** What a membership change did: members added, removed, and requested SIDs that are not members of the organization. */
export interface MemberChange {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly unknown: readonly string[];
}

interface Row {
  id: string; org_sid: string; display_name: string; external_id: string | null; version: number;
  created_at: Date; updated_at: Date; total?: string; mapped?: boolean;
}

const mapRow = (r: Row, members: readonly ScimGroupMember[] | null): ScimGroupRecord => ({
  id: r.id, orgSid: r.org_sid, displayName: r.display_name, externalId: r.external_id, members,
  created: r.created_at, lastModified: r.updated_at, version: String(r.version),
});

// C5: a mapping names a group by displayName (case-insensitive) or by externalId (exact).
const MAPPED = `EXISTS (SELECT 1 FROM scim_group_mappings mp WHERE mp.org_sid = g.org_sid
  AND (lower(mp.group_ref) = lower(g.display_name) OR mp.group_ref = g.external_id)) AS mapped`;

const EMPTY: readonly string[] = [];
const arr = (v: unknown): string[] => (Array.isArray(v) ? v as string[] : []);

export function scimGroupStore(db: Knex | Knex.Transaction) {
  const raw = rawQuery(db);
  /** The members of the groups `ids`, with their display names read in the same query (never one query per member). */
  async function membersOf(ids: readonly string[]): Promise<Map<string, ScimGroupMember[]>> {
    const byGroup = new Map<string, ScimGroupMember[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return byGroup;
    const rows = (await raw(`SELECT gm.group_id, gm.user_sid, COALESCE(u.display_name, su.user_name, u.email) AS display
      FROM scim_group_members gm JOIN users u ON u.sid = gm.user_sid
        LEFT JOIN scim_users su ON su.org_sid = gm.org_sid AND su.user_sid = gm.user_sid
      WHERE gm.group_id = ANY(CAST(? AS uuid[])) ORDER BY gm.group_id, gm.user_sid`, [ids])).rows as { group_id: string; user_sid: string; display: string }[];
    for (const r of rows) byGroup.get(r.group_id)?.push({ userSid: r.user_sid, display: r.display });
    return byGroup;
  }

  const changeResult = (row: { unknown?: unknown; added?: unknown; removed?: unknown } | undefined): MemberChange => ({
    added: arr(row?.added), removed: arr(row?.removed), unknown: arr(row?.unknown),
  });

  // The requested SIDs that are members of the organization (C1: nobody else can join its groups).
  const KNOWN = `req AS (SELECT DISTINCT unnest(CAST(? AS text[])) AS user_sid),
    known AS (SELECT m.user_sid FROM memberships m JOIN req ON req.user_sid = m.user_sid WHERE m.org_sid = ?)`;
  const UNKNOWN = `(SELECT COALESCE(array_agg(user_sid ORDER BY user_sid), '{}') FROM req WHERE user_sid NOT IN (SELECT user_sid FROM known)) AS unknown`;

  return {
    async list(orgSid: string, query: ScimListQuery, withMembers: boolean): Promise<ScimPage<ScimGroupRecord>> {
      const where = query.filter ? compileFilter(query.filter, groupAttributes, query.lenient) : { sql: 'true', bindings: [] };
      const sortKey = query.sortBy ? compileSort(query.sortBy, groupAttributes) : null;
      const sort = sortKey ? `${sortKey} ${query.descending ? 'DESC' : 'ASC'}, ` : '';
      const base = `FROM scim_groups g WHERE g.org_sid = ? AND ${where.sql}`;
      const bindings = [orgSid, ...where.bindings];
      const count = async () => Number((await raw(`SELECT count(*) AS total ${base}`, bindings)).rows[0].total);
      if (query.limit === 0) return { total: await count(), records: [] };
      const rows = (await raw(`SELECT g.*, count(*) OVER () AS total ${base} ORDER BY ${sort}g.id LIMIT ? OFFSET ?`,
        [...bindings, query.limit, query.offset])).rows as Row[];
      const total = rows[0] ? Number(rows[0].total) : query.offset > 0 ? await count() : 0;
      const members = withMembers ? await membersOf(rows.map((r) => r.id)) : undefined;
      return { total, records: rows.map((r) => mapRow(r, members?.get(r.id) ?? null)) };
    },

    async get(orgSid: string, id: string, withMembers: boolean): Promise<ScimGroupRecord | undefined> {
      const row = (await raw('SELECT g.* FROM scim_groups g WHERE g.org_sid = ? AND g.id = ?', [orgSid, id])).rows[0] as Row | undefined;
      if (!row) return undefined;
      return mapRow(row, withMembers ? (await membersOf([id])).get(id)! : null);
    },

    /** Locks the group for a change (concurrent PATCHes serialise here) and says whether a mapping names it. */
    async lock(orgSid: string, id: string): Promise<{ group: ScimGroupRecord; mapped: boolean } | undefined> {
      const row = (await raw(`SELECT g.*, ${MAPPED} FROM scim_groups g WHERE g.org_sid = ? AND g.id = ? FOR UPDATE OF g`,
        [orgSid, id])).rows[0] as Row | undefined;
      return row && { group: mapRow(row, null), mapped: row.mapped === true };
    },

    async insert(orgSid: string, data: { displayName: string; externalId: string | null }): Promise<ScimGroupRecord> {
      const row = (await raw(`INSERT INTO scim_groups (org_sid, display_name, external_id) VALUES (?, ?, ?) RETURNING *`,
        [orgSid, data.displayName, data.externalId])).rows[0] as Row;
      return mapRow(row, null);
    },

    /** Sets name and externalId (when given) and moves the version on; says whether a mapping names the group now. */
    async update(orgSid: string, id: string, data: { displayName?: string; externalId?: string | null }): Promise<{ group: ScimGroupRecord; mapped: boolean }> {
      const row = (await raw(`UPDATE scim_groups g SET display_name = COALESCE(CAST(? AS text), g.display_name),
          external_id = CASE WHEN CAST(? AS boolean) THEN CAST(? AS text) ELSE g.external_id END, version = g.version + 1, updated_at = now()
        WHERE g.org_sid = ? AND g.id = ? RETURNING g.*, ${MAPPED}`,
      [data.displayName ?? null, data.externalId !== undefined, data.externalId ?? null, orgSid, id])).rows[0] as Row;
      return { group: mapRow(row, null), mapped: row.mapped === true };
    },

    /** Deletes the group; returns its former members. */
    async remove(orgSid: string, id: string): Promise<readonly string[]> {
      const rows = (await raw(`WITH gone AS (DELETE FROM scim_group_members WHERE org_sid = ? AND group_id = ? RETURNING user_sid),
          g AS (DELETE FROM scim_groups WHERE org_sid = ? AND id = ? RETURNING id)
        SELECT user_sid FROM gone`, [orgSid, id, orgSid, id])).rows as { user_sid: string }[];
      return rows.map((r) => r.user_sid);
    },

    async addMembers(orgSid: string, groupId: string, userSids: readonly string[]): Promise<MemberChange> {
      if (userSids.length === 0) return { added: EMPTY, removed: EMPTY, unknown: EMPTY };
      const row = (await raw(`WITH ${KNOWN},
          ins AS (INSERT INTO scim_group_members (org_sid, group_id, user_sid) SELECT ?, ?, user_sid FROM known
            ON CONFLICT DO NOTHING RETURNING user_sid)
        SELECT ${UNKNOWN}, (SELECT COALESCE(array_agg(user_sid), '{}') FROM ins) AS added`,
      [userSids, orgSid, orgSid, groupId])).rows[0];
      return changeResult(row);
    },

    async removeMembers(groupId: string, userSids: readonly string[]): Promise<MemberChange> {
      if (userSids.length === 0) return { added: EMPTY, removed: EMPTY, unknown: EMPTY };
      const rows = (await raw(`DELETE FROM scim_group_members WHERE group_id = ? AND user_sid = ANY(CAST(? AS text[])) RETURNING user_sid`,
        [groupId, userSids])).rows as { user_sid: string }[];
      return { added: EMPTY, removed: rows.map((r) => r.user_sid), unknown: EMPTY };
    },

    /** PATCH remove with a value filter (`members[value eq "..."]`), evaluated in SQL. */
    async removeMembersWhere(groupId: string, filter: ScimFilter | null): Promise<MemberChange> {
      const where = filter ? compileFilter(filter, memberAttributes) : { sql: 'true', bindings: [] };
      const rows = (await raw(`DELETE FROM scim_group_members AS el WHERE el.group_id = ? AND ${where.sql} RETURNING el.user_sid`,
        [groupId, ...where.bindings])).rows as { user_sid: string }[];
      return { added: EMPTY, removed: rows.map((r) => r.user_sid), unknown: EMPTY };
    },

    /** Makes the members exactly `userSids` (PUT, PATCH replace members) in one statement. */
    async replaceMembers(orgSid: string, groupId: string, userSids: readonly string[]): Promise<MemberChange> {
      const row = (await raw(`WITH ${KNOWN},
          del AS (DELETE FROM scim_group_members gm WHERE gm.group_id = ?
            AND NOT EXISTS (SELECT 1 FROM known k WHERE k.user_sid = gm.user_sid) RETURNING gm.user_sid),
          ins AS (INSERT INTO scim_group_members (org_sid, group_id, user_sid) SELECT ?, ?, user_sid FROM known
            ON CONFLICT DO NOTHING RETURNING user_sid)
        SELECT ${UNKNOWN}, (SELECT COALESCE(array_agg(user_sid), '{}') FROM ins) AS added,
          (SELECT COALESCE(array_agg(user_sid), '{}') FROM del) AS removed`,
      [userSids, orgSid, groupId, orgSid, groupId])).rows[0];
      return changeResult(row);
    },

    /** The groups a mapping reference names (C5), and their members. */
    async matching(orgSid: string, ref: string): Promise<{ groups: { id: string; displayName: string; externalId: string | null }[]; members: string[] }> {
      const groups = (await raw(`SELECT id, display_name, external_id FROM scim_groups g
        WHERE g.org_sid = ? AND (lower(g.display_name) = lower(?) OR g.external_id = ?) ORDER BY lower(g.display_name), g.id`,
      [orgSid, ref, ref])).rows as { id: string; display_name: string; external_id: string | null }[];
      const members = groups.length === 0 ? [] : ((await raw(`SELECT DISTINCT user_sid FROM scim_group_members
        WHERE org_sid = ? AND group_id = ANY(CAST(? AS uuid[])) ORDER BY user_sid`, [orgSid, groups.map((g) => g.id)])).rows as { user_sid: string }[])
        .map((r) => r.user_sid);
      return { groups: groups.map((g) => ({ id: g.id, displayName: g.display_name, externalId: g.external_id })), members };
    },
  };
}
