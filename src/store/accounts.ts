import type { Knex } from 'knex';
import { DEVELOPER_ROLE_SID } from '../rules/role-catalogue.js';
import type { Account, AccountManagement, AccountPlan, AccountStatus, AccountUsage } from '../types.js';

export const ACCOUNTS = 'accounts';
export const ROLE_ASSIGNMENTS = 'role_assignments';

export interface AccountRow {
  sid: string; name: string; usage: AccountUsage; plan: AccountPlan; status: AccountStatus; owner_sid: string;
  parent_sid: string | null; org_sid: string | null; management: AccountManagement | null; hipaa: boolean; created_at: Date;
}

const mapRow = (r: AccountRow): Account => ({
  sid: r.sid, name: r.name, usage: r.usage, plan: r.plan, status: r.status, ownerSid: r.owner_sid,
  parentSid: r.parent_sid, orgSid: r.org_sid, management: r.management, hipaa: r.hipaa, createdAt: r.created_at,
});

export type NewAccount = Omit<Account, 'createdAt'>;
export type AccountPatch = Partial<Pick<Account, 'name' | 'plan' | 'status' | 'ownerSid' | 'orgSid' | 'management' | 'hipaa'>>;
export type GrantSource = 'direct' | 'scim';

export function accountStore(db: Knex | Knex.Transaction) {
  return {
    async insert(a: NewAccount): Promise<Account> {
      const [row] = await db<AccountRow>(ACCOUNTS).insert({
        sid: a.sid, name: a.name, usage: a.usage, plan: a.plan, status: a.status, owner_sid: a.ownerSid,
        parent_sid: a.parentSid, org_sid: a.orgSid, management: a.management, hipaa: a.hipaa,
      }).returning('*');
      return mapRow(row as AccountRow);
    },
    async get(sid: string): Promise<Account | undefined> {
      const row = await db<AccountRow>(ACCOUNTS).where({ sid }).first();
      return row && mapRow(row);
    },
    /** Locks the account row: serialises subaccount creation under one parent (A7). */
    async lock(sid: string): Promise<Account | undefined> {
      const row = await db<AccountRow>(ACCOUNTS).where({ sid }).forUpdate().first();
      return row && mapRow(row);
    },
    async update(sid: string, patch: AccountPatch): Promise<Account> {
      const [row] = await db<AccountRow>(ACCOUNTS).where({ sid }).update({
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.plan !== undefined && { plan: patch.plan }),
        ...(patch.status !== undefined && { status: patch.status }),
        ...(patch.ownerSid !== undefined && { owner_sid: patch.ownerSid }),
        ...(patch.orgSid !== undefined && { org_sid: patch.orgSid }),
        ...(patch.management !== undefined && { management: patch.management }),
        ...(patch.hipaa !== undefined && { hipaa: patch.hipaa }),
        updated_at: db.fn.now() as unknown as Date,
      } as Partial<AccountRow>).returning('*');
      return mapRow(row as AccountRow);
    },
    async countChildren(parentSid: string): Promise<number> {
      const row = await db(ACCOUNTS).where({ parent_sid: parentSid }).whereNot('status', 'closed')
        .count<{ count: string }[]>('* as count').first();
      return Number(row?.count ?? 0);
    },
    async listByOrg(orgSid: string): Promise<Account[]> {
      return (await db<AccountRow>(ACCOUNTS).where({ org_sid: orgSid }).orderBy('created_at').orderBy('sid')).map(mapRow);
    },
    /** O5: the organization's open top-level accounts, for countHeldAccounts (which decides what counts). */
    async listTopLevel(orgSid: string): Promise<Account[]> {
      return (await db<AccountRow>(ACCOUNTS).where({ org_sid: orgSid }).whereNull('parent_sid').whereNot('status', 'closed')
        .orderBy('created_at').orderBy('sid')).map(mapRow);
    },
    /** A4: every account `ownerSid` owns, in any organization or none (locked: they may join an organization). */
    async lockOwnedBy(ownerSid: string): Promise<Account[]> {
      return (await db<AccountRow>(ACCOUNTS).where({ owner_sid: ownerSid }).orderBy('sid').forUpdate()).map(mapRow);
    },
    /** A7: a subaccount follows its parent (owner, plan, organization, management, closing); closed ones stay closed. */
    async updateOpenChildren(parentSid: string, patch: Pick<AccountPatch, 'plan' | 'status' | 'ownerSid' | 'orgSid' | 'management'>): Promise<string[]> {
      const rows = await db<AccountRow>(ACCOUNTS).where({ parent_sid: parentSid }).whereNot('status', 'closed').update({
        ...(patch.plan !== undefined && { plan: patch.plan }),
        ...(patch.status !== undefined && { status: patch.status }),
        ...(patch.ownerSid !== undefined && { owner_sid: patch.ownerSid }),
        ...(patch.orgSid !== undefined && { org_sid: patch.orgSid }),
        ...(patch.management !== undefined && { management: patch.management }),
        updated_at: db.fn.now() as unknown as Date,
      } as Partial<AccountRow>).returning('sid');
      return rows.map((r) => r.sid);
    },
    async moveOrg(fromOrg: string, toOrg: string): Promise<number> {
      return db(ACCOUNTS).where({ org_sid: fromOrg }).update({ org_sid: toOrg, updated_at: db.fn.now() });
    },
    /** C4, U6: a removed member's managed accounts (and subaccounts) pass to another user; independent ones are not the organization's (A1). */
    async reassignManagedOwner(orgSid: string, fromUser: string, toUser: string): Promise<string[]> {
      const rows = await db<AccountRow>(ACCOUNTS).where({ org_sid: orgSid, owner_sid: fromUser, management: 'managed' })
        .update({ owner_sid: toUser, updated_at: db.fn.now() } as Partial<AccountRow>).returning('sid');
      return rows.map((r) => r.sid);
    },
    // Grants: an account grant is a role assignment (R1); a plain grant is the Developer role. These read
    // and write role_assignments, the one source of truth for who holds what on an account.
    async grant(orgSid: string, userSid: string, accountSid: string, source: GrantSource = 'direct', roleSid: string = DEVELOPER_ROLE_SID): Promise<void> {
      await db(ROLE_ASSIGNMENTS).insert({ org_sid: orgSid, user_sid: userSid, account_sid: accountSid, role_sid: roleSid, source })
        .onConflict(['user_sid', 'account_sid', 'role_sid', 'source']).ignore();
    },
    /** Withdraws every role `source` gives the user on the account. */
    async revoke(orgSid: string, userSid: string, accountSid: string, source: GrantSource = 'direct'): Promise<number> {
      return db(ROLE_ASSIGNMENTS).where({ org_sid: orgSid, user_sid: userSid, account_sid: accountSid, source }).delete();
    },
    /** The accounts the user holds any role on (directly or through SCIM groups). */
    async grantsOf(orgSid: string, userSid: string): Promise<string[]> {
      const rows = await db(ROLE_ASSIGNMENTS).where({ org_sid: orgSid, user_sid: userSid }).distinct('account_sid').orderBy('account_sid');
      return rows.map((r: { account_sid: string }) => r.account_sid);
    },
    async grantsBySource(orgSid: string, userSid: string, source: GrantSource): Promise<string[]> {
      const rows = await db(ROLE_ASSIGNMENTS).where({ org_sid: orgSid, user_sid: userSid, source }).distinct('account_sid').orderBy('account_sid');
      return rows.map((r: { account_sid: string }) => r.account_sid);
    },
    async revokeAllOf(orgSid: string, userSid: string): Promise<number> {
      return db(ROLE_ASSIGNMENTS).where({ org_sid: orgSid, user_sid: userSid }).delete();
    },
    /** Every grant in the organization (M3: what each user could use before a merge). */
    async grantsInOrg(orgSid: string): Promise<{ userSid: string; accountSid: string }[]> {
      const rows = await db(ROLE_ASSIGNMENTS).where({ org_sid: orgSid }).distinct('user_sid', 'account_sid').orderBy(['user_sid', 'account_sid']);
      return rows.map((r: { user_sid: string; account_sid: string }) => ({ userSid: r.user_sid, accountSid: r.account_sid }));
    },
    async moveGrants(fromOrg: string, toOrg: string): Promise<number> {
      return db(ROLE_ASSIGNMENTS).where({ org_sid: fromOrg }).update({ org_sid: toOrg });
    },
  };
}
