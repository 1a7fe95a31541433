import type { Knex } from 'knex';

export const SSO_SAML_REQUESTS = 'sso_saml_requests';
export const SSO_ASSERTION_IDS = 'sso_assertion_ids';
export const SSO_OIDC_TRANSACTIONS = 'sso_oidc_transactions';
export const SSO_TEST_TICKETS = 'sso_test_tickets';

export type SsoPurpose = 'sign_in' | 'test';

export interface SamlRequestRecord {
  readonly id: string; readonly connectionId: string; readonly purpose: SsoPurpose; readonly relayState: string | null;
  /** S6: the Owner this test sign-in may link, or null. */
  readonly linkUserSid: string | null;
  readonly createdAt: Date; readonly expiresAt: Date;
}
export interface OidcTransactionRecord {
  readonly connectionId: string; readonly orgSid: string; readonly purpose: SsoPurpose; readonly nonce: string;
  readonly codeVerifierEncrypted: string; readonly linkUserSid: string | null; readonly expiresAt: Date;
}
export interface TestTicketRecord { readonly connectionId: string; readonly orgSid: string; readonly createdBy: string; readonly expiresAt: Date }

interface SamlRequestRow { id: string; connection_id: string; purpose: SsoPurpose; relay_state: string | null; link_user_sid: string | null; created_at: Date; expires_at: Date }
const mapRequest = (r: SamlRequestRow): SamlRequestRecord => ({
  id: r.id, connectionId: r.connection_id, purpose: r.purpose, relayState: r.relay_state, linkUserSid: r.link_user_sid, createdAt: r.created_at, expiresAt: r.expires_at,
});

/**
 * The single-use state of SSO logins, shared by every instance through the database: each
 * consumption is one statement (DELETE ... RETURNING, INSERT ... ON CONFLICT DO NOTHING), so of
 * two instances handling the same response at once exactly one wins (S3, S8).
 */
export function ssoLoginStateStore(db: Knex | Knex.Transaction) {
  return {
    async saveSamlRequest(r: { id: string; connectionId: string; purpose: SsoPurpose; relayState: string | null; browserHash: string; linkUserSid: string | null; now: Date; expiresAt: Date }): Promise<void> {
      await db(SSO_SAML_REQUESTS).insert({
        id: r.id, connection_id: r.connectionId, purpose: r.purpose, relay_state: r.relayState, browser_hash: r.browserHash,
        link_user_sid: r.linkUserSid, created_at: r.now, expires_at: r.expiresAt,
      });
    },
    /** A live request of this connection, without consuming it (node-saml's cache lookups). */
    async peekSamlRequest(id: string, connectionId: string, now: Date): Promise<SamlRequestRecord | undefined> {
      const row = await db(SSO_SAML_REQUESTS).where({ id, connection_id: connectionId }).where('expires_at', '>', now).first();
      return row && mapRequest(row);
    },
    /**
     * S3: consumes a live request of this connection made for this browser (the digest of its login
     * cookie); only one caller ever gets the row, and another browser finds none.
     */
    async consumeSamlRequest(id: string, connectionId: string, browserHash: string, now: Date): Promise<SamlRequestRecord | undefined> {
      const [row] = await db(SSO_SAML_REQUESTS).where({ id, connection_id: connectionId, browser_hash: browserHash }).where('expires_at', '>', now).delete().returning('*');
      return row && mapRequest(row);
    },
    /** S3, S8: records an assertion ID; false when any instance recorded it before (a replay). */
    async recordAssertion(connectionId: string, assertionId: string, expiresAt: Date, now: Date): Promise<boolean> {
      const rows = await db(SSO_ASSERTION_IDS).insert({ connection_id: connectionId, assertion_id: assertionId, expires_at: expiresAt, created_at: now })
        .onConflict(['connection_id', 'assertion_id']).ignore().returning('assertion_id');
      return rows.length === 1;
    },
    async saveOidcTransaction(t: {
      stateHash: string; connectionId: string; orgSid: string; browserHash: string; purpose: SsoPurpose; nonce: string;
      codeVerifierEncrypted: string; linkUserSid: string | null; now: Date; expiresAt: Date;
    }): Promise<void> {
      await db(SSO_OIDC_TRANSACTIONS).insert({
        state_hash: t.stateHash, connection_id: t.connectionId, org_sid: t.orgSid, browser_hash: t.browserHash, purpose: t.purpose,
        nonce: t.nonce, code_verifier_encrypted: t.codeVerifierEncrypted, link_user_sid: t.linkUserSid, created_at: t.now, expires_at: t.expiresAt,
      });
    },
    /** Consumes the transaction only for the browser and connection it was made for. */
    async consumeOidcTransaction(stateHash: string, connectionId: string, browserHash: string, now: Date): Promise<OidcTransactionRecord | undefined> {
      const [row] = await db(SSO_OIDC_TRANSACTIONS)
        .where({ state_hash: stateHash, connection_id: connectionId, browser_hash: browserHash }).where('expires_at', '>', now)
        .delete().returning('*');
      return row && {
        connectionId: row.connection_id, orgSid: row.org_sid, purpose: row.purpose, nonce: row.nonce,
        codeVerifierEncrypted: row.code_verifier_encrypted, linkUserSid: row.link_user_sid, expiresAt: row.expires_at,
      };
    },
    async saveTestTicket(t: { tokenHash: string; connectionId: string; orgSid: string; createdBy: string; now: Date; expiresAt: Date }): Promise<void> {
      await db(SSO_TEST_TICKETS).insert({
        token_hash: t.tokenHash, connection_id: t.connectionId, org_sid: t.orgSid, created_by: t.createdBy, created_at: t.now, expires_at: t.expiresAt,
      });
    },
    async consumeTestTicket(tokenHash: string, now: Date): Promise<TestTicketRecord | undefined> {
      const [row] = await db(SSO_TEST_TICKETS).where({ token_hash: tokenHash }).where('expires_at', '>', now).delete().returning('*');
      return row && { connectionId: row.connection_id, orgSid: row.org_sid, createdBy: row.created_by, expiresAt: row.expires_at };
    },
    /** Drops expired rows; called now and then so the caches stay small. */
    async purgeExpired(now: Date): Promise<number> {
      let n = 0;
      // sign_in_challenges: password sign-ins whose second factor never came.
      for (const table of [SSO_SAML_REQUESTS, SSO_ASSERTION_IDS, SSO_OIDC_TRANSACTIONS, SSO_TEST_TICKETS, 'sign_in_challenges']) {
        n += await db(table).where('expires_at', '<=', now).delete();
      }
      return n;
    },
  };
}
