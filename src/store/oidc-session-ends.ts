/**
 * What ending a person's Orgward sessions does to the product's apps, in the same transaction:
 * the OpenID provider's sessions, grants, codes and tokens of that person are deleted (refresh
 * tokens and access tokens stop working on every instance at once), and every app with a
 * back-channel logout URI that held a grant gets a logout notice to deliver (jobs/oidc-logout.ts).
 * Used only by the session store's revocations, the one place sessions end (store/sessions.ts).
 */
import type { Knex } from 'knex';

export const OIDC_LOGOUT_NOTICES = 'oidc_logout_notices';

/** An app's grant of a person that ended: the app can no longer act for them (issue 13, session.revoked). */
export interface EndedGrant { readonly userSid: string; readonly clientId: string }

// What a DELETE of provider rows returns: the grants among them (tokens and sessions hang off grants).
const ENDED_GRANTS = `RETURNING CASE WHEN model = 'Grant' THEN payload->>'accountId' END AS user_sid, payload->>'clientId' AS client_id`;
const endedGrants = (result: { rows: { user_sid: string | null; client_id: string | null }[] }): EndedGrant[] =>
  result.rows.filter((r) => r.user_sid !== null && r.client_id !== null).map((r) => ({ userSid: r.user_sid!, clientId: r.client_id! }));

/**
 * The parts of a statement (CTEs, named `ended_oidc_…`) that end the provider's rows of the people
 * in CTE `ending` (columns user_sid, reason): a notice for each app with a back-channel logout URI
 * that holds a grant of theirs, then their provider sessions, grants, codes and tokens. All parts
 * read one snapshot, so the notices are found before the grants go. `ended_oidc_payloads` returns
 * (user_sid, client_id) for each grant that ended (user_sid null for the other rows).
 */
export function endOidcSessionsSql(ending: string): string {
  return `ended_oidc_notices AS (INSERT INTO ${OIDC_LOGOUT_NOTICES} (client_id, user_sid, reason)
      SELECT DISTINCT a.client_id, e.user_sid, e.reason FROM ${ending} e
        JOIN oidc_payloads p ON p.payload \\? 'accountId' AND p.payload->>'accountId' = e.user_sid AND p.model = 'Grant'
        JOIN oidc_apps a ON a.client_id = p.payload->>'clientId' AND a.backchannel_logout_uri IS NOT NULL),
    ended_oidc_payloads AS (DELETE FROM oidc_payloads p USING ${ending} e
      WHERE p.payload \\? 'accountId' AND p.payload->>'accountId' = e.user_sid
      RETURNING CASE WHEN p.model = 'Grant' THEN p.payload->>'accountId' END AS user_sid, p.payload->>'clientId' AS client_id)`;
}

/**
 * S7: SSO enforcement ends password sign-ins of the domain's people. Their provider sessions and
 * the grants whose tokens came from a password sign-in (amr contains "pwd") end too, so an app can
 * neither refresh nor silently re-authenticate past the enforcement.
 */
export async function endOidcPasswordSessions(db: Knex | Knex.Transaction, userSids: Knex.QueryBuilder, reason: string): Promise<EndedGrant[]> {
  const pwd = `payload \\? 'accountId' AND payload->>'accountId' IN (SELECT sid FROM ? AS u) AND payload->'amr' @> '["pwd"]'::jsonb`;
  const grants = db.raw(`SELECT grant_id FROM oidc_payloads WHERE grant_id IS NOT NULL AND model IN ('RefreshToken', 'AuthorizationCode') AND ${pwd}`, [userSids]);
  await db.raw(`INSERT INTO ${OIDC_LOGOUT_NOTICES} (client_id, user_sid, reason)
    SELECT DISTINCT a.client_id, p.payload->>'accountId', ? FROM oidc_payloads p JOIN oidc_apps a ON a.client_id = p.payload->>'clientId'
    WHERE p.model = 'Grant' AND p.id IN (?) AND a.backchannel_logout_uri IS NOT NULL`, [reason, grants]);
  return endedGrants(await db.raw(`DELETE FROM oidc_payloads WHERE grant_id IN (?) OR (model = 'Grant' AND id IN (?)) OR (model = 'Session' AND ${pwd}) ${ENDED_GRANTS}`, [grants, grants, userSids]));
}

export interface LogoutNotice { readonly id: string; readonly clientId: string; readonly userSid: string; readonly attempts: number }

export function oidcLogoutNoticeStore(db: Knex | Knex.Transaction) {
  return {
    /** Up to `limit` due notices, locked for this transaction (other instances skip them). */
    // Due times are the database's (the notice is written with its now() by the session store).
    async claimDue(limit: number): Promise<LogoutNotice[]> {
      const rows = await db(OIDC_LOGOUT_NOTICES).select('id', 'client_id', 'user_sid', 'attempts').whereNull('delivered_at')
        .where('next_attempt_at', '<=', db.raw('now()')).orderBy('id').limit(limit).forUpdate().skipLocked() as { id: string | number; client_id: string; user_sid: string; attempts: number }[];
      return rows.map((r) => ({ id: String(r.id), clientId: r.client_id, userSid: r.user_sid, attempts: r.attempts }));
    },
    async delivered(id: string, status: number, now: Date): Promise<void> {
      await db(OIDC_LOGOUT_NOTICES).where({ id }).update({ delivered_at: now, last_status: status, attempts: db.raw('attempts + 1') });
    },
    async failed(id: string, status: number | null, retryInMs: number): Promise<void> {
      await db(OIDC_LOGOUT_NOTICES).where({ id }).update({ last_status: status, next_attempt_at: db.raw(`now() + ? * interval '1 millisecond'`, [retryInMs]), attempts: db.raw('attempts + 1') });
    },
    /** A notice that can no longer be delivered (app deleted, or given up): closed without status. */
    async abandon(id: string, now: Date): Promise<void> {
      await db(OIDC_LOGOUT_NOTICES).where({ id }).update({ delivered_at: now });
    },
  };
}
