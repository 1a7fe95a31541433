/**
 * Setup links (issue 11): one row per link (only the digest of its secret), and the steps taken
 * through it (written with the audit entry of each step, services/context.ts).
 */
import type { Knex } from 'knex';
import type { SetupIdp, SetupLinkKind } from '../rules/setup-links.js';

export const SETUP_LINKS = 'setup_links';
export const SETUP_LINK_STEPS = 'setup_link_steps';

export interface SetupLinkRecord {
  readonly sid: string;
  readonly orgSid: string;
  readonly kind: SetupLinkKind;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly revokedAt: Date | null;
  readonly revokedBy: string | null;
  readonly lastUsedAt: Date | null;
  readonly idp: SetupIdp | null;
  /** SSO links: the id their connection has (or will have once added). */
  readonly connectionId: string | null;
}

export interface SetupLinkStep { readonly action: string; readonly target: string | null; readonly createdAt: Date }

interface Row {
  sid: string; org_sid: string; kind: SetupLinkKind; created_by: string; created_at: Date; expires_at: Date;
  revoked_at: Date | null; revoked_by: string | null; last_used_at: Date | null; idp: SetupIdp | null; connection_id: string | null;
}

const COLUMNS = ['sid', 'org_sid', 'kind', 'created_by', 'created_at', 'expires_at', 'revoked_at', 'revoked_by', 'last_used_at', 'idp', 'connection_id'];

const mapRow = (r: Row): SetupLinkRecord => ({
  sid: r.sid, orgSid: r.org_sid, kind: r.kind, createdBy: r.created_by, createdAt: r.created_at, expiresAt: r.expires_at,
  revokedAt: r.revoked_at, revokedBy: r.revoked_by, lastUsedAt: r.last_used_at, idp: r.idp, connectionId: r.connection_id,
});

export function setupLinkStore(db: Knex | Knex.Transaction) {
  return {
    async insert(l: { sid: string; orgSid: string; kind: SetupLinkKind; tokenHash: string; createdBy: string; now: Date; expiresAt: Date }): Promise<SetupLinkRecord> {
      const [row] = await db(SETUP_LINKS).insert({
        sid: l.sid, org_sid: l.orgSid, kind: l.kind, token_hash: l.tokenHash, created_by: l.createdBy, created_at: l.now, expires_at: l.expiresAt,
      }).returning(COLUMNS);
      return mapRow(row as Row);
    },

    /** The link behind a secret's digest, live or not (its page says which). */
    async findByHash(tokenHash: string): Promise<SetupLinkRecord | undefined> {
      const row = await db(SETUP_LINKS).where({ token_hash: tokenHash }).first(...COLUMNS) as Row | undefined;
      return row && mapRow(row);
    },

    async get(sid: string): Promise<SetupLinkRecord | undefined> {
      const row = await db(SETUP_LINKS).where({ sid }).first(...COLUMNS) as Row | undefined;
      return row && mapRow(row);
    },

    /** The link, share-locked until the transaction ends: a step and a revocation (FOR UPDATE) do not interleave. */
    async lockShared(sid: string): Promise<SetupLinkRecord | undefined> {
      const row = await db(SETUP_LINKS).where({ sid }).forShare().first(...COLUMNS) as Row | undefined;
      return row && mapRow(row);
    },

    async lock(sid: string): Promise<SetupLinkRecord | undefined> {
      const row = await db(SETUP_LINKS).where({ sid }).forUpdate().first(...COLUMNS) as Row | undefined;
      return row && mapRow(row);
    },

    /** The organization's links, newest first (an organization makes a handful). */
    async listByOrg(orgSid: string, limit: number): Promise<SetupLinkRecord[]> {
      const rows = await db(SETUP_LINKS).where({ org_sid: orgSid }).orderBy('created_at', 'desc').orderBy('sid').limit(limit).select(...COLUMNS) as Row[];
      return rows.map(mapRow);
    },

    async revoke(sid: string, by: string, at: Date): Promise<void> {
      await db(SETUP_LINKS).where({ sid }).whereNull('revoked_at').update({ revoked_at: at, revoked_by: by });
    },

    async chooseIdp(sid: string, idp: SetupIdp, connectionId: string | null): Promise<void> {
      await db(SETUP_LINKS).where({ sid }).update({ idp, connection_id: connectionId });
    },

    async touch(sid: string, at: Date): Promise<void> {
      await db(SETUP_LINKS).where({ sid }).update({ last_used_at: at });
    },

    async recordStep(s: { linkSid: string; orgSid: string; action: string; target: string | null }): Promise<void> {
      await db(SETUP_LINK_STEPS).insert({ link_sid: s.linkSid, org_sid: s.orgSid, action: s.action, target: s.target });
    },

    /** The steps taken through a link, oldest first. */
    async steps(linkSid: string): Promise<SetupLinkStep[]> {
      const rows = await db(SETUP_LINK_STEPS).where({ link_sid: linkSid }).orderBy('id').select('action', 'target', 'created_at') as { action: string; target: string | null; created_at: Date }[];
      return rows.map((r) => ({ action: r.action, target: r.target, createdAt: r.created_at }));
    },

    /** How many steps each of `linkSids` took and when the last was (the Admin Center's list). */
    async stepSummaries(linkSids: readonly string[]): Promise<Map<string, { count: number; lastAction: string; lastAt: Date }>> {
      const out = new Map<string, { count: number; lastAction: string; lastAt: Date }>();
      if (linkSids.length === 0) return out;
      const rows = await db(SETUP_LINK_STEPS).whereIn('link_sid', linkSids).orderBy('id').select('link_sid', 'action', 'created_at') as { link_sid: string; action: string; created_at: Date }[];
      for (const r of rows) out.set(r.link_sid, { count: (out.get(r.link_sid)?.count ?? 0) + 1, lastAction: r.action, lastAt: r.created_at });
      return out;
    },
  };
}
