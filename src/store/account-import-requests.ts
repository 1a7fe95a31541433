import type { Knex } from 'knex';

export const ACCOUNT_IMPORT_REQUESTS = 'account_import_requests';

/** A pending import (A3) and the account's management before it. */
export interface AccountImportRequest { accountSid: string; orgSid: string; previousManagement: 'independent' | null }

/** Where a pending account came from, so that a declined import gives the account back as it was. */
export function accountImportRequestStore(db: Knex | Knex.Transaction) {
  return {
    /** Records (or replaces) the request for `accountSid`. */
    async record(r: AccountImportRequest): Promise<void> {
      await db(ACCOUNT_IMPORT_REQUESTS)
        .insert({ account_sid: r.accountSid, org_sid: r.orgSid, previous_management: r.previousManagement })
        .onConflict('account_sid').merge();
    },
    async get(accountSid: string): Promise<AccountImportRequest | undefined> {
      const row = await db(ACCOUNT_IMPORT_REQUESTS).where({ account_sid: accountSid }).first();
      return row && { accountSid: row.account_sid, orgSid: row.org_sid, previousManagement: row.previous_management };
    },
    async remove(accountSid: string): Promise<void> {
      await db(ACCOUNT_IMPORT_REQUESTS).where({ account_sid: accountSid }).delete();
    },
  };
}
