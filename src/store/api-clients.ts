/**
 * API clients and operator clients (issue 10): only the secret's SHA-256 digest is stored.
 */
import type { Knex } from 'knex';
import { rawQuery } from './scim-sql.js';

export interface ApiClientRecord {
  readonly clientId: string;
  readonly kind: 'organization' | 'operator';
  readonly orgSid: string | null;
  readonly role: 'admin' | 'read-only' | null;
  readonly name: string | null;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

/** What a bearer check needs, in one indexed lookup: the client and its creator's membership now. */
export interface ApiClientStanding {
  readonly clientId: string;
  readonly kind: 'organization' | 'operator';
  readonly orgSid: string | null;
  readonly role: 'admin' | 'read-only' | null;
  readonly revoked: boolean;
  readonly orgMerged: boolean;
  readonly creator: { orgSid: string | null; role: string | null; status: string } | undefined;
  readonly lastUsedAt: Date | null;
  /** S7: the creator's email domain came under SSO enforcement after the client was created. */
  readonly ssoEnforcedSinceCreation: boolean;
}

interface Row {
  client_id: string; kind: 'organization' | 'operator'; org_sid: string | null; role: 'admin' | 'read-only' | null; name: string | null;
  created_by: string; created_at: Date; last_used_at: Date | null; revoked_at: Date | null;
}

const COLUMNS = 'client_id, kind, org_sid, role, name, created_by, created_at, last_used_at, revoked_at';

const mapRow = (r: Row): ApiClientRecord => ({
  clientId: r.client_id, kind: r.kind, orgSid: r.org_sid, role: r.role, name: r.name, createdBy: r.created_by,
  createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at,
});

export function apiClientStore(db: Knex | Knex.Transaction) {
  const raw = rawQuery(db);
  return {
    async insert(c: { clientId: string; kind: 'organization' | 'operator'; orgSid: string | null; role: 'admin' | 'read-only' | null; name: string | null; secretHash: string; createdBy: string }): Promise<ApiClientRecord> {
      const row = (await raw(`INSERT INTO api_clients (client_id, kind, org_sid, role, name, secret_hash, created_by) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
        [c.clientId, c.kind, c.orgSid, c.role, c.name, c.secretHash, c.createdBy])).rows[0] as Row;
      return mapRow(row);
    },

    /** The live client's secret digest (for the token endpoint), or undefined. */
    async findLiveSecret(clientId: string): Promise<{ clientId: string; secretHash: string } | undefined> {
      const row = (await raw('SELECT client_id, secret_hash FROM api_clients WHERE client_id = ? AND revoked_at IS NULL', [clientId])).rows[0] as { client_id: string; secret_hash: string } | undefined;
      return row && { clientId: row.client_id, secretHash: row.secret_hash };
    },

    /** The client, its organization's state and its creator's membership, by primary key. */
    async standing(clientId: string): Promise<ApiClientStanding | undefined> {
      const row = (await raw(`SELECT c.client_id, c.kind, c.org_sid, c.role, c.created_by, c.revoked_at, c.last_used_at, o.merged_into_sid,
          u.sid AS creator_sid, u.status AS creator_status, m.org_sid AS creator_org, m.role AS creator_role,
          EXISTS (SELECT 1 FROM domains d WHERE d.org_sid = c.org_sid AND d.sso_enforced
            AND d.name = split_part(lower(u.email), '@', 2) AND d.sso_enforced_at > c.created_at) AS sso_enforced_since
        FROM api_clients c
        LEFT JOIN organizations o ON o.sid = c.org_sid
        LEFT JOIN users u ON u.sid = c.created_by
        LEFT JOIN memberships m ON m.user_sid = u.sid
        WHERE c.client_id = ?`, [clientId])).rows[0] as (Row & { merged_into_sid: string | null; creator_sid: string | null; creator_status: string | null; creator_org: string | null; creator_role: string | null; sso_enforced_since: boolean }) | undefined;
      if (!row) return undefined;
      return {
        clientId: row.client_id, kind: row.kind, orgSid: row.org_sid, role: row.role, revoked: row.revoked_at !== null,
        orgMerged: row.merged_into_sid !== null, lastUsedAt: row.last_used_at, ssoEnforcedSinceCreation: row.sso_enforced_since,
        // A client made by a person names them; one made by the operator has no creator to lose.
        creator: row.created_by === 'operator' ? undefined
          : row.creator_sid === null ? { orgSid: null, role: null, status: 'removed' }
          : { orgSid: row.creator_org, role: row.creator_role, status: row.creator_status ?? 'active' },
      };
    },

    async list(orgSid: string): Promise<ApiClientRecord[]> {
      return ((await raw(`SELECT ${COLUMNS} FROM api_clients WHERE org_sid = ? ORDER BY created_at, client_id`, [orgSid])).rows as Row[]).map(mapRow);
    },

    async get(orgSid: string, clientId: string): Promise<ApiClientRecord | undefined> {
      const row = (await raw(`SELECT ${COLUMNS} FROM api_clients WHERE org_sid = ? AND client_id = ?`, [orgSid, clientId])).rows[0] as Row | undefined;
      return row && mapRow(row);
    },

    /** Revokes a live client; false when it was already revoked. */
    async revoke(orgSid: string, clientId: string, at: Date): Promise<boolean> {
      return ((await raw('UPDATE api_clients SET revoked_at = ? WHERE org_sid = ? AND client_id = ? AND revoked_at IS NULL RETURNING client_id', [at, orgSid, clientId])).rows as unknown[]).length > 0;
    },

    async touch(clientId: string, at: Date): Promise<void> {
      await raw('UPDATE api_clients SET last_used_at = ? WHERE client_id = ?', [at, clientId]);
    },
  };
}
