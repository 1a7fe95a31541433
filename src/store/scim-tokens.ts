/**
 * C1: SCIM bearer tokens. Only the SHA-256 digest is stored; a token reaches one organization,
 * several can be live at once (rotation), and revoked ones never authenticate again.
 */
import type { Knex } from 'knex';
import { rawQuery } from './scim-sql.js';

export const SCIM_TOKENS = 'scim_tokens';

export interface ScimTokenRecord {
  readonly id: string;
  readonly orgSid: string;
  readonly description: string | null;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

interface Row { id: string; org_sid: string; description: string | null; created_by: string; created_at: Date; last_used_at: Date | null; revoked_at: Date | null }

const COLUMNS = 'id, org_sid, description, created_by, created_at, last_used_at, revoked_at';

const mapRow = (r: Row): ScimTokenRecord => ({
  id: r.id, orgSid: r.org_sid, description: r.description, createdBy: r.created_by, createdAt: r.created_at,
  lastUsedAt: r.last_used_at, revokedAt: r.revoked_at,
});

export function scimTokenStore(db: Knex | Knex.Transaction) {
  const raw = rawQuery(db);
  return {
    async insert(t: { orgSid: string; tokenHash: string; description: string | null; createdBy: string }): Promise<ScimTokenRecord> {
      const row = (await raw(`INSERT INTO scim_tokens (org_sid, token_hash, description, created_by) VALUES (?, ?, ?, ?) RETURNING ${COLUMNS}`,
        [t.orgSid, t.tokenHash, t.description, t.createdBy])).rows[0] as Row;
      return mapRow(row);
    },

    /** The live token with this digest, in an organization that still exists (not merged away, O4). */
    async findLive(tokenHash: string): Promise<{ id: string; orgSid: string; lastUsedAt: Date | null } | undefined> {
      const row = (await raw(`SELECT t.id, t.org_sid, t.last_used_at FROM scim_tokens t JOIN organizations o ON o.sid = t.org_sid
        WHERE t.token_hash = ? AND t.revoked_at IS NULL AND o.merged_into_sid IS NULL`, [tokenHash])).rows[0] as Row | undefined;
      return row && { id: row.id, orgSid: row.org_sid, lastUsedAt: row.last_used_at };
    },

    async list(orgSid: string): Promise<ScimTokenRecord[]> {
      const rows = (await raw(`SELECT ${COLUMNS} FROM scim_tokens WHERE org_sid = ? ORDER BY created_at, id`, [orgSid])).rows as Row[];
      return rows.map(mapRow);
    },

    async get(orgSid: string, id: string): Promise<ScimTokenRecord | undefined> {
      const row = (await raw(`SELECT ${COLUMNS} FROM scim_tokens WHERE org_sid = ? AND id = CAST(? AS uuid)`, [orgSid, id])).rows[0] as Row | undefined;
      return row && mapRow(row);
    },

    /** Revokes a live token; false when it was already revoked. */
    async revoke(orgSid: string, id: string, at: Date): Promise<boolean> {
      const rows = (await raw(`UPDATE scim_tokens SET revoked_at = ? WHERE org_sid = ? AND id = CAST(? AS uuid) AND revoked_at IS NULL RETURNING id`,
        [at, orgSid, id])).rows as unknown[];
      return rows.length > 0;
    },

    async touch(id: string, at: Date): Promise<void> {
      await raw('UPDATE scim_tokens SET last_used_at = ? WHERE id = ?', [at, id]);
    },
  };
}
