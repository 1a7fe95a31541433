import type { Knex } from 'knex';
import type { Member, Role, User, UserStatus } from '../types.js';

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

/**
 * Where a page of the user list ends (keyset paging, no OFFSET). The list is every email match in
 * email order, then the display-name-only matches in name order ('name' phase); without a search
 * only the first phase exists. Keys are the database's lower() of the column, compared in C order.
 */
export type MemberCursor =
  | { readonly phase: 'email'; readonly key: string }
  | { readonly phase: 'name'; readonly key: string; readonly sid: string };

/** A search of one organization's members (issue 10 user list). */
export interface MemberSearch {
  /** Prefix of the email address or of the display name, case-insensitive. */
  readonly prefix?: string;
  /** Exactly this user SID. */
  readonly sid?: string;
  readonly role?: Role;
  readonly status?: UserStatus;
  readonly after?: MemberCursor;
  readonly limit: number;
}

const EMAIL_KEY = 'lower(u.email) COLLATE "C"';
const NAME_KEY = 'lower(u.display_name) COLLATE "C"';
/** A LIKE pattern matching values that start with `prefix` (its wildcards taken literally); SQL lowers it. */
const startsWith = (prefix: string): string => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

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
     * One page of an organization's members (users_email_search and users_display_name_search
     * serve both the prefix range and the order, so a page reads about `limit` index entries).
     */
    async searchMembers(orgSid: string, q: MemberSearch): Promise<{ members: Member[]; next: MemberCursor | null }> {
      const base = () => {
        const query = members().where('m.org_sid', orgSid)
          .select(db.raw(`${EMAIL_KEY} as email_key`), db.raw(`${NAME_KEY} as name_key`));
        if (q.role !== undefined) query.where('m.role', q.role);
        if (q.status !== undefined) query.where('u.status', q.status);
        return query;
      };
      type Keyed = MemberRow & { email_key: string; name_key: string | null };
      if (q.sid !== undefined) {
        const rows = q.after ? [] : (await base().where('u.sid', q.sid)) as Keyed[];
        return { members: rows.map(mapMemberRow), next: null };
      }
      const found: Member[] = [];
      const pattern = q.prefix === undefined || q.prefix === '' ? undefined : startsWith(q.prefix);
      if (q.after === undefined || q.after.phase === 'email') {
        const query = base();
        if (pattern !== undefined) query.whereRaw(`${EMAIL_KEY} LIKE lower(?)`, [pattern]);
        if (q.after !== undefined) query.whereRaw(`${EMAIL_KEY} > ?`, [q.after.key]);
        const rows = (await query.orderByRaw(EMAIL_KEY).limit(q.limit + 1)) as Keyed[];
        if (rows.length > q.limit) {
          return { members: rows.slice(0, q.limit).map(mapMemberRow), next: { phase: 'email', key: rows[q.limit - 1]!.email_key } };
        }
        found.push(...rows.map(mapMemberRow));
        if (pattern === undefined) return { members: found, next: null };
      }
      // Second phase: display-name matches whose email does not match (those were listed already).
      if (pattern === undefined) return { members: found, next: null };
      const room = q.limit - found.length;
      const query = base().whereNotNull('u.display_name').whereRaw(`${NAME_KEY} LIKE lower(?)`, [pattern])
        .whereRaw(`NOT (${EMAIL_KEY} LIKE lower(?))`, [pattern]);
      if (q.after?.phase === 'name') query.whereRaw(`(${NAME_KEY}, u.sid) > (?, ?)`, [q.after.key, q.after.sid]);
      const rows = (await query.orderByRaw(`${NAME_KEY}, u.sid`).limit(room + 1)) as Keyed[];
      if (rows.length > room) {
        const last = room === 0 ? undefined : rows[room - 1]!;
        const next: MemberCursor = last ? { phase: 'name', key: last.name_key ?? '', sid: last.sid } : { phase: 'name', key: '', sid: '' };
        return { members: [...found, ...rows.slice(0, room).map(mapMemberRow)], next };
      }
      return { members: [...found, ...rows.map(mapMemberRow)], next: null };
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
    async countByOrg(orgSid: string): Promise<number> {
      const row = await db(MEMBERSHIPS).where({ org_sid: orgSid }).count<{ count: string }[]>('* as count').first();
      return Number(row?.count ?? 0);
    },
  };
}
