import type { Knex } from 'knex';
import type { Domain, DomainPolicy } from '../types.js';

export const DOMAINS = 'domains';

export interface DomainRow {
  id: string; org_sid: string; name: string; txt_token: string; verified_at: Date | null;
  policy: DomainPolicy; sso_enforced: boolean; created_at: Date;
}

const mapRow = (r: DomainRow): Domain => ({
  id: r.id, orgSid: r.org_sid, name: r.name, txtToken: r.txt_token, verifiedAt: r.verified_at,
  policy: r.policy, ssoEnforced: r.sso_enforced, createdAt: r.created_at,
});

export function domainStore(db: Knex | Knex.Transaction) {
  return {
    async insert(d: { orgSid: string; name: string; txtToken: string }): Promise<Domain> {
      const [row] = await db<DomainRow>(DOMAINS).insert({ org_sid: d.orgSid, name: d.name, txt_token: d.txtToken }).returning('*');
      return mapRow(row as DomainRow);
    },
    async get(orgSid: string, name: string): Promise<Domain | undefined> {
      const row = await db<DomainRow>(DOMAINS).where({ org_sid: orgSid, name }).first();
      return row && mapRow(row);
    },
    /** The registration, locked until the transaction ends (a guarded change reads and writes it). */
    async lock(orgSid: string, name: string): Promise<Domain | undefined> {
      const row = await db<DomainRow>(DOMAINS).where({ org_sid: orgSid, name }).forUpdate().first();
      return row && mapRow(row);
    },
    async listByOrg(orgSid: string): Promise<Domain[]> {
      return (await db<DomainRow>(DOMAINS).where({ org_sid: orgSid }).orderBy('name')).map(mapRow);
    },
    /** D4/D5: the one verified registration of exactly this name, whichever organization holds it. */
    async findVerified(name: string): Promise<Domain | undefined> {
      const row = await db<DomainRow>(DOMAINS).whereRaw('lower(name) = lower(?)', [name]).whereNotNull('verified_at').first();
      return row && mapRow(row);
    },
    async markVerified(id: string, at: Date): Promise<Domain> {
      const [row] = await db<DomainRow>(DOMAINS).where({ id }).update({ verified_at: at, updated_at: db.fn.now() } as Partial<DomainRow>).returning('*');
      return mapRow(row as DomainRow);
    },
    async update(id: string, patch: Partial<{ policy: DomainPolicy; ssoEnforced: boolean }>): Promise<Domain> {
      const [row] = await db<DomainRow>(DOMAINS).where({ id }).update({
        ...(patch.policy !== undefined && { policy: patch.policy }),
        ...(patch.ssoEnforced !== undefined && { sso_enforced: patch.ssoEnforced }),
        updated_at: db.fn.now(),
      } as Partial<DomainRow>).returning('*');
      return mapRow(row as DomainRow);
    },
    /** D5: how many members of the organization have an email exactly on `name`. */
    async countMembersOn(orgSid: string, name: string): Promise<number> {
      const row = await db('users as u').join('memberships as m', 'm.user_sid', 'u.sid').where('m.org_sid', orgSid)
        .whereRaw("lower(substring(u.email from '@([^@]+)$')) = lower(?)", [name]).count<{ count: string }[]>('* as count').first();
      return Number(row?.count ?? 0);
    },
    async remove(id: string): Promise<void> {
      await db(DOMAINS).where({ id }).delete();
    },
  };
}
