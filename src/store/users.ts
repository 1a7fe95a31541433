import type { Knex } from 'knex';
import type { Member, Role, User, UserStatus } from '../types.js';
import { cursorOf, memberSearchSql, mapSearchRow, type MemberCursor, type MemberPage, type MemberSearch, type SearchRow } from './member-search.js';
import { rawQuery } from './scim-sql.js';

export const USERS = 'users';
export const MEMBERSHIPS = 'memberships';

export interface UserRow {
  sid: string; email: string; display_name: string | null; given_name: string | null; family_name: string | null;
  status: UserStatus; password_hash: string | null; password_changed_at: Date | null;
  second_factor_required: boolean; failed_sign_ins: number; locked_until: Date | null;
  created_at: Date; updated_at: Date;
}
type MemberRow = UserRow & { org_sid: string | null; role: Role | null };

export const mapUserRow = (r: UserRow): User => ({
  sid: r.sid, email: r.email, displayName: r.display_name, givenName: r.given_name, familyName: r.family_name,
  status: r.status, passwordChangedAt: r.password_changed_at, secondFactorRequired: r.second_factor_required,
  createdAt: r.created_at, updatedAt: r.updated_at,
});
const mapMemberRow = (r: MemberRow): Member => ({ ...mapUserRow(r), orgSid: r.org_sid, role: r.role });

export type { MemberCursor, MemberPage, MemberSearch } from './member-search.js';

export interface NewUser { sid: string; email: string; displayName?: string | null; givenName?: string | null; familyName?: string | null; passwordHash?: string | null }
export type UserPatch = Partial<{ email: string; displayName: string | null; givenName: string | null; familyName: string | null; status: UserStatus; passwordHash: string | null; passwordChangedAt: Date; secondFactorRequired: boolean; failedSignIns: number; lockedUntil: Date | null }>;

/** Users and their (single, U1) membership. */
export function userStore(db: Knex | Knex.Transaction) {
  const members = () => db<MemberRow>(`${USERS} as u`).leftJoin(`${MEMBERSHIPS} as m`, 'm.user_sid', 'u.sid').select('u.*', 'm.org_sid', 'm.role');
  return {
    async insert(user: NewUser): Promise<User> {
      const [row] = await db<UserRow>(USERS).insert({
        sid: user.sid, email: user.email, display_name: user.displayName ?? null, given_name: user.givenName ?? null,
        family_name: user.familyName ?? null, password_hash: user.passwordHash ?? null,
      }).returning('*');
      return mapUserRow(row as UserRow);
    },
    async get(sid: string): Promise<Member | undefined> {
      const row = await members().where('u.sid', sid).first();
      return row && mapMemberRow(row);
    },
    /** U1: identity is the email address, compared case-insensitively. */
    async getByEmail(email: string): Promise<Member | undefined> {
      const row = await members().whereRaw('lower(u.email) = lower(?)', [email]).first();
      return row && mapMemberRow(row);
    },
    /** U1: the users with any of these emails (compared case-insensitively), with their memberships. */
    async listByEmails(emails: readonly string[]): Promise<Member[]> {
      const lowered = [...new Set(emails.map((e) => e.toLowerCase()))];
      const found: Member[] = [];
      // Bounded batches keep the number of bind parameters well under PostgreSQL's limit.
      for (let i = 0; i < lowered.length; i += 1000) {
        const rows = await members().whereIn(db.raw('lower(u.email)') as unknown as string, lowered.slice(i, i + 1000));
        found.push(...rows.map(mapMemberRow));
      }
      return found;
    },
    /** Locks the user row so that joining, leaving and role changes serialise per person. */
    async lockByEmail(email: string): Promise<Member | undefined> {
      const row = await db<UserRow>(USERS).whereRaw('lower(email) = lower(?)', [email]).forUpdate().first();
      return row ? (await this.get(row.sid)) : undefined;
    },
    /** Locks the user row by SID (role changes, hand-over, removal serialise per person). */
    async lock(sid: string): Promise<Member | undefined> {
      const row = await db<UserRow>(USERS).where({ sid }).forUpdate().first();
      return row ? (await this.get(row.sid)) : undefined;
    },
    /** U4: removes the user's second factor; true when there was one. */
    async deleteSecondFactor(userSid: string): Promise<boolean> {
      // RETURNING rather than the affected-row count, which knex-pglite does not report for DELETE.
      return (await db('second_factors').where({ user_sid: userSid }).delete().returning('user_sid')).length > 0;
    },
    async credentials(sid: string): Promise<Pick<UserRow, 'password_hash' | 'failed_sign_ins' | 'locked_until'> | undefined> {
      return db<UserRow>(USERS).where({ sid }).first('password_hash', 'failed_sign_ins', 'locked_until');
    },
    async update(sid: string, patch: UserPatch): Promise<User> {
      const [row] = await db<UserRow>(USERS).where({ sid }).update({
        ...(patch.email !== undefined && { email: patch.email }),
        ...(patch.displayName !== undefined && { display_name: patch.displayName }),
        ...(patch.givenName !== undefined && { given_name: patch.givenName }),
        ...(patch.familyName !== undefined && { family_name: patch.familyName }),
        ...(patch.status !== undefined && { status: patch.status }),
        ...(patch.passwordHash !== undefined && { password_hash: patch.passwordHash }),
        ...(patch.passwordChangedAt !== undefined && { password_changed_at: patch.passwordChangedAt }),
        ...(patch.secondFactorRequired !== undefined && { second_factor_required: patch.secondFactorRequired }),
        ...(patch.failedSignIns !== undefined && { failed_sign_ins: patch.failedSignIns }),
        ...(patch.lockedUntil !== undefined && { locked_until: patch.lockedUntil }),
        updated_at: db.fn.now() as unknown as Date,
      }).returning('*');
      return mapUserRow(row as UserRow);
    },
    async listByOrg(orgSid: string, options: { limit?: number; offset?: number } = {}): Promise<Member[]> {
      const rows = await members().where('m.org_sid', orgSid).orderBy('u.created_at').orderBy('u.sid')
        .limit(options.limit ?? 1000).offset(options.offset ?? 0);
      return rows.map(mapMemberRow);
    },
    /** Keyset page of the members holding one of `roles`, by user SID after `afterSid` (paged listings stay correct past any size). */
    async pageByOrgRoles(orgSid: string, roles: readonly Role[], options: { afterSid: string; limit: number }): Promise<Member[]> {
      const rows = await members().where('m.org_sid', orgSid).whereIn('m.role', [...roles]).andWhere('u.sid', '>', options.afterSid)
        .orderBy('u.sid').limit(options.limit);
      return rows.map(mapMemberRow);
    },
    /** {@link pageByOrgRoles} backwards: the `limit` members before `beforeSid` (none: from the end), last first. */
    async pageByOrgRolesBefore(orgSid: string, roles: readonly Role[], options: { beforeSid: string | null; limit: number }): Promise<Member[]> {
      const q = members().where('m.org_sid', orgSid).whereIn('m.role', [...roles]);
      if (options.beforeSid !== null) q.andWhere('u.sid', '<', options.beforeSid);
      return (await q.orderBy('u.sid', 'desc').limit(options.limit)).map(mapMemberRow);
    },
    /**
     * One page of an organization's members, in ONE statement (a named prepared statement on
     * PostgreSQL: planned once per connection, not per page), that also says whether the
     * organization exists (so a caller whose rights are known without reading, an API client,
     * needs no other query). memberships_email_search and memberships_name_search (org_sid first)
     * serve the organization, the prefix range and the order: a page reads about `limit` entries.
     */
    async searchMembers(orgSid: string, q: MemberSearch): Promise<MemberPage> {
      const { sql, bindings } = memberSearchSql(orgSid, q);
      const rows = (await rawQuery(db)(sql, bindings)).rows as SearchRow[];
      const orgFound = rows.some((r) => r.phase === 0);
      const emailRows = rows.filter((r) => r.phase === 1);
      const nameRows = rows.filter((r) => r.phase === 2);
      if (q.before !== undefined) {
        // Read backwards, newest first: the part the cursor is in, then the one before it.
        const read = q.before.phase === 'name' ? [...nameRows, ...emailRows] : emailRows;
        const taken = read.slice(0, q.limit).reverse();
        return {
          members: taken.map(mapSearchRow), orgFound,
          next: taken.length > 0 ? cursorOf(taken[taken.length - 1]!) : null,
          previous: read.length > q.limit ? cursorOf(taken[0]!) : null,
        };
      }
      const first = emailRows[0] ?? nameRows[0];
      // After a cursor, the page before is the one that ended there.
      const previous = q.after !== undefined && first !== undefined ? cursorOf(first) : null;
      if (emailRows.length > q.limit) {
        return { members: emailRows.slice(0, q.limit).map(mapSearchRow), next: { phase: 'email', key: emailRows[q.limit - 1]!.key }, previous, orgFound };
      }
      const found = emailRows.map(mapSearchRow);
      const room = q.limit - found.length;
      if (nameRows.length > room) {
        const last = room === 0 ? undefined : nameRows[room - 1]!;
        const next: MemberCursor = last ? { phase: 'name', key: last.key, sid: last.sid } : { phase: 'name', key: '', sid: '' };
        return { members: [...found, ...nameRows.slice(0, room).map(mapSearchRow)], next, previous, orgFound };
      }
      return { members: [...found, ...nameRows.map(mapSearchRow)], next: null, previous, orgFound };
    },
    async owner(orgSid: string): Promise<Member | undefined> {
      const row = await members().where({ 'm.org_sid': orgSid, 'm.role': 'owner' }).first();
      return row && mapMemberRow(row);
    },
    // Memberships (U1 is the primary key of memberships; O2 the partial unique index and deferred trigger).
    async join(userSid: string, orgSid: string, role: Role): Promise<void> {
      await db(MEMBERSHIPS).insert({ user_sid: userSid, org_sid: orgSid, role });
    },
    async setRole(userSid: string, orgSid: string, role: Role): Promise<void> {
      await db(MEMBERSHIPS).where({ user_sid: userSid, org_sid: orgSid }).update({ role, updated_at: db.fn.now() });
    },
    async moveAll(fromOrg: string, toOrg: string, role: Role): Promise<number> {
      return db(MEMBERSHIPS).where({ org_sid: fromOrg }).update({ org_sid: toOrg, role, updated_at: db.fn.now() });
    },
    async leave(userSid: string, orgSid: string): Promise<void> {
      await db(MEMBERSHIPS).where({ user_sid: userSid, org_sid: orgSid }).delete();
    },
    /** How many members hold each organization role (O1: one Owner). */
    async countByRole(orgSid: string): Promise<Map<Role, number>> {
      const rows = await db(MEMBERSHIPS).where({ org_sid: orgSid }).groupBy('role').select('role').count<{ role: Role; count: string | number }[]>('* as count');
      return new Map(rows.map((r) => [r.role, Number(r.count)]));
    },
    async countByOrg(orgSid: string): Promise<number> {
      const row = await db(MEMBERSHIPS).where({ org_sid: orgSid }).count<{ count: string }[]>('* as count').first();
      return Number(row?.count ?? 0);
    },
  };
}
