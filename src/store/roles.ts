/** R1: the role catalogue (built-in roles seeded by the migration, custom roles an operator adds). */
import type { Knex } from 'knex';
import type { RoleKind, RoleScopeType, RoleSnapshot } from '../rules/role-catalogue.js';
import type { AssignableRole } from '../rules/types.js';

export const ROLES_TABLE = 'roles';

interface RoleRow {
  sid: string; name: string; kind: RoleKind; scope_type: RoleScopeType; permissions: string[]; org_role: AssignableRole | null;
  created_at: Date; updated_at: Date;
}

/** A role as stored. */
export interface RoleRecord extends RoleSnapshot {
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

const mapRow = (r: RoleRow): RoleRecord => ({
  sid: r.sid, name: r.name, kind: r.kind, scopeType: r.scope_type, permissions: r.permissions ?? [], orgRole: r.org_role,
  createdAt: r.created_at, updatedAt: r.updated_at,
});

// Built-in roles first (organization, then account), in seeding order; custom roles by name.
const ORDER = `CASE kind WHEN 'built_in' THEN 0 ELSE 1 END, scope_type DESC, created_at, lower(name)`;

export function roleStore(db: Knex | Knex.Transaction) {
  return {
    /** The whole catalogue (a few dozen rows at most). */
    async list(): Promise<RoleRecord[]> {
      return (await db<RoleRow>(ROLES_TABLE).select('*').orderByRaw(ORDER)).map(mapRow);
    },
    async get(sid: string): Promise<RoleRecord | undefined> {
      const row = await db<RoleRow>(ROLES_TABLE).where({ sid }).first();
      return row && mapRow(row);
    },
    /** Locks one role: permission changes to the same role are serialised. */
    async lock(sid: string): Promise<RoleRecord | undefined> {
      const row = await db<RoleRow>(ROLES_TABLE).where({ sid }).forUpdate().first();
      return row && mapRow(row);
    },
    async insertCustom(r: { sid: string; name: string; permissions: readonly string[] }): Promise<RoleRecord> {
      const [row] = await db<RoleRow>(ROLES_TABLE)
        .insert({ sid: r.sid, name: r.name, kind: 'custom', scope_type: 'account', permissions: [...r.permissions], org_role: null })
        .returning('*');
      return mapRow(row as RoleRow);
    },
    /**
     * L1: the catalogue is shared by every organization, so a change to it is recorded in every
     * open organization's audit log (one statement).
     */
    async auditEveryOrg(e: { actor: string; action: string; target: string; before: unknown; after: unknown; requestId: string | null }): Promise<void> {
      await db.raw(`INSERT INTO audit_log (org_sid, actor, action, target, before, after, request_id)
        SELECT sid, ?, ?, ?, CAST(? AS jsonb), CAST(? AS jsonb), ? FROM organizations WHERE merged_into_sid IS NULL`,
      [e.actor, e.action, e.target, e.before === null ? null : JSON.stringify(e.before), e.after === null ? null : JSON.stringify(e.after), e.requestId]);
    },
    async setPermissions(sid: string, permissions: readonly string[]): Promise<RoleRecord> {
      const [row] = await db<RoleRow>(ROLES_TABLE).where({ sid })
        .update({ permissions: [...permissions], updated_at: db.fn.now() as unknown as Date }).returning('*');
      return mapRow(row as RoleRow);
    },
  };
}
