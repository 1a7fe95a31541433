/**
 * The record of IdP certificates already warned about (issue 13: sso_connection.certificate_expiring),
 * one row per connection and certificate (migration 20261209300000).
 */
import type { Knex } from 'knex';

export const SSO_CERTIFICATE_WARNINGS = 'sso_certificate_warnings';

export function ssoCertificateWarningStore(db: Knex | Knex.Transaction) {
  return {
    /** The certificates already warned about, of these connections, as `connectionId fingerprint`. */
    async warnedOf(connectionIds: readonly string[]): Promise<Set<string>> {
      if (connectionIds.length === 0) return new Set();
      const rows = await db(SSO_CERTIFICATE_WARNINGS).whereIn('connection_id', [...connectionIds]).select('connection_id', 'fingerprint') as { connection_id: string; fingerprint: string }[];
      return new Set(rows.map((r) => `${r.connection_id} ${r.fingerprint}`));
    },
    /** Records a warning; false when this certificate of this connection was warned about already. */
    async record(w: { connectionId: string; orgSid: string; fingerprint: string; notAfter: Date; at: Date }): Promise<boolean> {
      const rows = await db(SSO_CERTIFICATE_WARNINGS)
        .insert({ connection_id: w.connectionId, org_sid: w.orgSid, fingerprint: w.fingerprint, not_after: w.notAfter, warned_at: w.at })
        .onConflict(['connection_id', 'fingerprint']).ignore().returning('fingerprint');
      return rows.length === 1;
    },
  };
}
