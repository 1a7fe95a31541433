import type { Knex } from 'knex';
import type { Organization } from '../types.js';

export const ORGANIZATIONS = 'organizations';

export interface OrganizationRow {
  sid: string; name: string; account_limit: number; bulk_import_enabled: boolean;
  baa_executed_at: Date | null; merged_into_sid: string | null; created_at: Date;
}

const mapRow = (r: OrganizationRow): Organization => ({
  sid: r.sid, name: r.name, accountLimit: r.account_limit, bulkImportEnabled: r.bulk_import_enabled,
  baaExecutedAt: r.baa_executed_at, mergedIntoSid: r.merged_into_sid, createdAt: r.created_at,
});

export type OrganizationPatch = Partial<{ name: string; accountLimit: number; bulkImportEnabled: boolean; baaExecutedAt: Date | null; mergedIntoSid: string }>;

export function organizationStore(db: Knex | Knex.Transaction) {
  return {
    async insert(org: { sid: string; name: string }): Promise<Organization> {
      const [row] = await db<OrganizationRow>(ORGANIZATIONS).insert({ sid: org.sid, name: org.name }).returning('*');
      return mapRow(row as OrganizationRow);
    },
    async get(sid: string): Promise<Organization | undefined> {
      const row = await db<OrganizationRow>(ORGANIZATIONS).where({ sid }).whereNull('merged_into_sid').first();
      return row && mapRow(row);
    },
    /** Locks the organization row: serialises limit checks (O5) and merges within one organization. */
    async lock(sid: string): Promise<Organization | undefined> {
      const row = await db<OrganizationRow>(ORGANIZATIONS).where({ sid }).whereNull('merged_into_sid').forUpdate().first();
      return row && mapRow(row);
    },
    async update(sid: string, patch: OrganizationPatch): Promise<Organization> {
      const [row] = await db<OrganizationRow>(ORGANIZATIONS).where({ sid }).update({
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.accountLimit !== undefined && { account_limit: patch.accountLimit }),
        ...(patch.bulkImportEnabled !== undefined && { bulk_import_enabled: patch.bulkImportEnabled }),
        ...(patch.baaExecutedAt !== undefined && { baa_executed_at: patch.baaExecutedAt }),
        ...(patch.mergedIntoSid !== undefined && { merged_into_sid: patch.mergedIntoSid }),
        updated_at: db.fn.now(),
      } as Partial<OrganizationRow>).returning('*');
      return mapRow(row as OrganizationRow);
    },
  };
}
