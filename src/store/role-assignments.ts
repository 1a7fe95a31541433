/** R1, R3: account role assignments (direct or from SCIM groups), listed and changed one by one. */
import type { Knex } from 'knex';
import type { GrantSource } from './accounts.js';
import { ROLE_ASSIGNMENTS } from './accounts.js';

interface AssignmentRow {
  sid: string; org_sid: string; user_sid: string; account_sid: string; role_sid: string; source: GrantSource; created_at: Date;
}

/** One account role assignment as stored. */
export interface RoleAssignmentRecord {
  /** 'IY' + 32 lowercase hex. */
  readonly sid: string;
  readonly orgSid: string;
  readonly userSid: string;
  readonly accountSid: string;
  readonly roleSid: string;
  readonly source: GrantSource;
  readonly createdAt: Date;
}

/** One holder of an account role (the Roles page): who, on which account, from where. */
export interface RoleHolder {
  readonly sid: string;
  readonly userSid: string;
  readonly email: string;
  readonly accountSid: string;
  readonly accountName: string;
  readonly source: GrantSource;
}

const mapRow = (r: AssignmentRow): RoleAssignmentRecord => ({
  sid: r.sid, orgSid: r.org_sid, userSid: r.user_sid, accountSid: r.account_sid, roleSid: r.role_sid, source: r.source, createdAt: r.created_at,
});

export function roleAssignmentStore(db: Knex | Knex.Transaction) {
  return {
    /** The organization's assignments for a user and/or an account (at least one given by the caller). */
    async list(orgSid: string, filter: { userSid?: string; accountSid?: string }): Promise<RoleAssignmentRecord[]> {
      const q = db<AssignmentRow>(ROLE_ASSIGNMENTS).where({ org_sid: orgSid });
      if (filter.userSid !== undefined) q.andWhere({ user_sid: filter.userSid });
      if (filter.accountSid !== undefined) q.andWhere({ account_sid: filter.accountSid });
      return (await q.orderBy(['created_at', 'sid'])).map(mapRow);
    },
    /** Keyset page of {@link list}'s rows, by SID after `afterSid`. */
    async page(orgSid: string, filter: { userSid?: string; accountSid?: string }, options: { afterSid: string; limit: number }): Promise<RoleAssignmentRecord[]> {
      const q = db<AssignmentRow>(ROLE_ASSIGNMENTS).where({ org_sid: orgSid }).andWhere('sid', '>', options.afterSid);
      if (filter.userSid !== undefined) q.andWhere({ user_sid: filter.userSid });
      if (filter.accountSid !== undefined) q.andWhere({ account_sid: filter.accountSid });
      return (await q.orderBy('sid').limit(options.limit)).map(mapRow);
    },
    /** {@link page} backwards: the `limit` rows before `beforeSid` (none: from the end), last first. */
    async pageBefore(orgSid: string, filter: { userSid?: string; accountSid?: string }, options: { beforeSid: string | null; limit: number }): Promise<RoleAssignmentRecord[]> {
      const q = db<AssignmentRow>(ROLE_ASSIGNMENTS).where({ org_sid: orgSid });
      if (options.beforeSid !== null) q.andWhere('sid', '<', options.beforeSid);
      if (filter.userSid !== undefined) q.andWhere({ user_sid: filter.userSid });
      if (filter.accountSid !== undefined) q.andWhere({ account_sid: filter.accountSid });
      return (await q.orderBy('sid', 'desc').limit(options.limit)).map(mapRow);
    },
    /** R1: how many people hold each account role in the organization (one count per role SID). */
    async holderCounts(orgSid: string): Promise<Map<string, number>> {
      const rows = await db(ROLE_ASSIGNMENTS).where({ org_sid: orgSid }).groupBy('role_sid')
        .select('role_sid').countDistinct<{ role_sid: string; count: string | number }[]>('user_sid as count');
      return new Map(rows.map((r) => [r.role_sid, Number(r.count)]));
    },
    /** The holders of one account role: a keyset page by assignment SID, with the user's email and the account's name. */
    async holders(orgSid: string, roleSid: string, options: { afterSid: string; limit: number }): Promise<RoleHolder[]> {
      const rows = await db(`${ROLE_ASSIGNMENTS} as ra`).join('users as u', 'u.sid', 'ra.user_sid').join('accounts as a', 'a.sid', 'ra.account_sid')
        .where({ 'ra.org_sid': orgSid, 'ra.role_sid': roleSid }).andWhere('ra.sid', '>', options.afterSid)
        .orderBy('ra.sid').limit(options.limit)
        .select<{ sid: string; user_sid: string; email: string; account_sid: string; account_name: string; source: GrantSource }[]>(
          'ra.sid', 'ra.user_sid', 'u.email', 'ra.account_sid', 'a.name as account_name', 'ra.source');
      return rows.map((r) => ({ sid: r.sid, userSid: r.user_sid, email: r.email, accountSid: r.account_sid, accountName: r.account_name, source: r.source }));
    },
    async get(orgSid: string, sid: string): Promise<RoleAssignmentRecord | undefined> {
      const row = await db<AssignmentRow>(ROLE_ASSIGNMENTS).where({ org_sid: orgSid, sid }).first();
      return row && mapRow(row);
    },
    /** Locks one assignment (the delete re-reads it under the lock). */
    async lock(orgSid: string, sid: string): Promise<RoleAssignmentRecord | undefined> {
      const row = await db<AssignmentRow>(ROLE_ASSIGNMENTS).where({ org_sid: orgSid, sid }).forUpdate().first();
      return row && mapRow(row);
    },
    async find(orgSid: string, userSid: string, accountSid: string, roleSid: string, source: GrantSource): Promise<RoleAssignmentRecord | undefined> {
      const row = await db<AssignmentRow>(ROLE_ASSIGNMENTS)
        .where({ org_sid: orgSid, user_sid: userSid, account_sid: accountSid, role_sid: roleSid, source }).first();
      return row && mapRow(row);
    },
    /** Inserts a direct assignment; the unique constraint refuses a second one (role_assignment_exists). */
    async insert(a: { orgSid: string; userSid: string; accountSid: string; roleSid: string }): Promise<RoleAssignmentRecord> {
      const [row] = await db<AssignmentRow>(ROLE_ASSIGNMENTS)
        .insert({ org_sid: a.orgSid, user_sid: a.userSid, account_sid: a.accountSid, role_sid: a.roleSid, source: 'direct' })
        .returning('*');
      return mapRow(row as AssignmentRow);
    },
    async delete(orgSid: string, sid: string): Promise<void> {
      await db(ROLE_ASSIGNMENTS).where({ org_sid: orgSid, sid }).delete();
    },
  };
}
