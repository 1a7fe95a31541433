/**
 * C3, L1: a PUT or PATCH of a provisioned member in ONE statement, once the rules have decided it
 * on the member as read: the users row (profile, status), the SCIM row, the end of every session
 * when the member is suspended (sessions.ts: endSessionsSql), and the audit entries (and so the
 * lifecycle events, which the audit_log trigger writes). IdPs deactivate people in bulk; a
 * transaction of lock, reads, writes and commit cost a dozen round trips each.
 *
 * The guard, repeated under the locks the statement takes before it writes (the users, membership
 * and SCIM rows): the member is still at the version the rules saw (every write to the users or
 * SCIM row moves it), still a member of the organization, with the role they saw (C4: the Owner
 * is refused). A locked row is its latest committed version, so this is the check a transaction
 * makes after SELECT … FOR UPDATE. A member who moved on comes out as undefined, and the service
 * decides again under the lock, in a transaction.
 *
 * Updates arriving in the same turn of the event loop share one statement and its commit
 * (scim-batch.ts), locking in SID order so that two statements cannot deadlock; a member named
 * twice in a batch is left to the transaction (the second change must see the first). When a
 * batch fails (a duplicate userName), each update is retried alone and gets its own answer.
 */
import type { Knex } from 'knex';
import type { Role, UserStatus } from '../rules/types.js';
import { batcherFor } from './scim-batch.js';
import { rawQuery, type RawQuery } from './scim-sql.js';
import { groupsColumn, mapUserRow, versionParts, type ScimUserRecord, type ScimUserRow } from './scim-user-rows.js';
import { endSessionsSql } from './sessions.js';

/** What the rules decided for one member, and what they decided it on. */
export interface ScimUserUpdate {
  readonly orgSid: string;
  readonly userSid: string;
  /** The member's version (ScimUserRecord.version) and role as the rules saw them. */
  readonly seenVersion: string;
  readonly seenRole: Role;
  /** The users row's new profile and status; null when the row does not change. */
  readonly user: { readonly status: UserStatus; readonly displayName: string | null; readonly givenName: string | null; readonly familyName: string | null } | null;
  /** The SCIM row's new content; null when it does not change. */
  readonly scim: { readonly userName: string; readonly externalId: string | null; readonly attributes: Readonly<Record<string, unknown>> } | null;
  /** C3: every session of the member ends, with this reason, at this time. */
  readonly endSessions: { readonly reason: string; readonly at: Date } | null;
  /** L1: the audit entries, in order (before/after already redacted). */
  readonly audit: readonly { readonly action: string; readonly before: unknown; readonly after: unknown }[];
  readonly actor: string;
  readonly requestId: string | null;
}

const UPDATE = `WITH q AS (
    SELECT ord, user_sid, org_sid, CAST(seen_scim AS integer) AS seen_scim, CAST(seen_stamp AS bigint) AS seen_stamp, seen_role,
      CAST(set_user AS boolean) AS set_user, new_status, new_display_name, new_given_name, new_family_name,
      CAST(set_scim AS boolean) AS set_scim, new_user_name, new_external_id, new_attributes,
      end_reason, CAST(end_at AS timestamptz) AS end_at, audit, actor, request_id
    FROM unnest(CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]),
      CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]),
      CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]),
      CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]))
      WITH ORDINALITY AS q(user_sid, org_sid, seen_scim, seen_stamp, seen_role,
        set_user, new_status, new_display_name, new_given_name, new_family_name,
        set_scim, new_user_name, new_external_id, new_attributes,
        end_reason, end_at, audit, actor, request_id, ord)),
  cur AS (
    SELECT q.*, m.role, m.created_at AS joined_at, u.email, u.status, u.display_name, u.given_name, u.family_name, u.updated_at,
      su.user_name, su.external_id, su.attributes, su.version, su.created_at AS s_created_at, su.updated_at AS s_updated_at
    FROM q JOIN users u ON u.sid = q.user_sid
      JOIN memberships m ON m.user_sid = u.sid
      JOIN scim_users su ON su.org_sid = q.org_sid AND su.user_sid = u.sid
    -- IS NOT DISTINCT FROM rather than =: not an index condition, so the membership is found by its
    -- key (user_sid) whatever the statistics say, never by scanning the organization's members.
    WHERE m.org_sid IS NOT DISTINCT FROM q.org_sid AND m.role IS NOT DISTINCT FROM q.seen_role
      AND su.version = q.seen_scim AND (extract(epoch FROM u.updated_at) * 1000000)::bigint = q.seen_stamp
    ORDER BY u.sid
    FOR UPDATE OF u, m, su),
  nu AS (UPDATE users u SET status = c.new_status, display_name = c.new_display_name, given_name = c.new_given_name,
      family_name = c.new_family_name, updated_at = now()
    FROM cur c WHERE u.sid = c.user_sid AND c.set_user
    RETURNING u.sid, u.status, u.display_name, u.given_name, u.family_name, u.updated_at),
  ns AS (UPDATE scim_users su SET user_name = c.new_user_name, external_id = c.new_external_id,
      attributes = CAST(c.new_attributes AS jsonb), version = su.version + 1, updated_at = now()
    FROM cur c WHERE su.org_sid = c.org_sid AND su.user_sid = c.user_sid AND c.set_scim
    RETURNING su.user_sid, su.user_name, su.external_id, su.attributes, su.version, su.updated_at),
  ending AS (SELECT user_sid, end_reason AS reason, end_at AS at FROM cur WHERE end_reason IS NOT NULL),
  ${endSessionsSql('ending')},
  na AS (INSERT INTO audit_log (org_sid, actor, action, target, before, after, request_id)
    SELECT c.org_sid, c.actor, e.entry->>'action', c.user_sid, NULLIF(e.entry->'before', 'null'), NULLIF(e.entry->'after', 'null'), c.request_id
    FROM cur c CROSS JOIN LATERAL jsonb_array_elements(CAST(c.audit AS jsonb)) WITH ORDINALITY AS e(entry, n)
    ORDER BY c.ord, e.n),
  -- session.revoked (issue 13), as services/session-ends.ts records it: when something ended.
  ended AS (SELECT c.org_sid, c.actor, c.user_sid, c.end_reason, c.request_id,
      (SELECT count(*) FROM ended_sessions s WHERE s.user_sid = c.user_sid) AS sessions,
      (SELECT count(DISTINCT g.client_id) FROM ended_oidc_payloads g WHERE g.user_sid = c.user_sid) AS apps
    FROM cur c WHERE c.end_reason IS NOT NULL),
  nr AS (INSERT INTO audit_log (org_sid, actor, action, target, before, after, request_id)
    SELECT org_sid, actor, 'session.revoked', user_sid, NULL,
      jsonb_build_object('user', user_sid, 'sessions', sessions, 'apps', apps, 'reason', end_reason), request_id
    FROM ended WHERE sessions > 0 OR apps > 0)
  SELECT c.ord, c.user_sid, c.org_sid, c.role, c.joined_at, c.email,
    CASE WHEN nu.sid IS NULL THEN c.status ELSE nu.status END AS status,
    CASE WHEN nu.sid IS NULL THEN c.display_name ELSE nu.display_name END AS display_name,
    CASE WHEN nu.sid IS NULL THEN c.given_name ELSE nu.given_name END AS given_name,
    CASE WHEN nu.sid IS NULL THEN c.family_name ELSE nu.family_name END AS family_name,
    COALESCE(nu.updated_at, c.updated_at) AS u_updated_at,
    (extract(epoch FROM COALESCE(nu.updated_at, c.updated_at)) * 1000000)::bigint::text AS u_stamp,
    CASE WHEN ns.user_sid IS NULL THEN c.user_name ELSE ns.user_name END AS user_name,
    CASE WHEN ns.user_sid IS NULL THEN c.external_id ELSE ns.external_id END AS external_id,
    CASE WHEN ns.user_sid IS NULL THEN c.attributes ELSE ns.attributes END AS attributes,
    COALESCE(ns.version, c.version) AS version, c.s_created_at, COALESCE(ns.updated_at, c.s_updated_at) AS s_updated_at,
    ${groupsColumn('c')}
  FROM cur c LEFT JOIN nu ON nu.sid = c.user_sid LEFT JOIN ns ON ns.user_sid = c.user_sid`;

async function update(raw: RawQuery, updates: readonly ScimUserUpdate[]): Promise<(ScimUserRecord | undefined)[]> {
  const column = (f: (u: ScimUserUpdate) => string | null) => updates.map(f);
  const { rows } = await raw(UPDATE, [
    column((u) => u.userSid), column((u) => u.orgSid), column((u) => String(versionParts(u.seenVersion).scim)),
    column((u) => versionParts(u.seenVersion).stamp), column((u) => u.seenRole),
    column((u) => String(u.user !== null)), column((u) => u.user?.status ?? null), column((u) => u.user?.displayName ?? null),
    column((u) => u.user?.givenName ?? null), column((u) => u.user?.familyName ?? null),
    column((u) => String(u.scim !== null)), column((u) => u.scim?.userName ?? null), column((u) => u.scim?.externalId ?? null),
    column((u) => (u.scim ? JSON.stringify(u.scim.attributes) : null)),
    column((u) => u.endSessions?.reason ?? null), column((u) => u.endSessions?.at.toISOString() ?? null),
    column((u) => JSON.stringify(u.audit)), column((u) => u.actor), column((u) => u.requestId),
  ]);
  const byOrd = new Map((rows as (ScimUserRow & { ord: string })[]).map((r) => [Number(r.ord), mapUserRow(r)]));
  return updates.map((_u, i) => byOrd.get(i + 1));
}

// Updates arriving while this many statements run wait and share the next one (and its commit).
const WRITES_IN_FLIGHT = 2;

type Outcome = { ok: ScimUserRecord | undefined } | { error: unknown };

/**
 * Applies one member's update; concurrent calls share a statement, each resolving to the member's
 * new record, or to undefined when the member is no longer as the rules saw them.
 */
export function memberUpdater(db: Knex | Knex.Transaction): (change: ScimUserUpdate) => Promise<ScimUserRecord | undefined> {
  const raw = rawQuery(db);
  const apply = batcherFor(db, 'updateMember', async (updates: readonly ScimUserUpdate[]): Promise<Outcome[]> => {
    const seen = new Set<string>();
    const once = updates.map((u) => {
      if (seen.has(u.userSid)) return false;
      seen.add(u.userSid);
      return true;
    });
    const batch = updates.filter((_u, i) => once[i]);
    let written: (ScimUserRecord | undefined)[] | undefined;
    if (batch.length > 1) {
      try {
        written = await update(raw, batch);
      } catch {
        // Retried one by one below: each gets its own answer.
      }
    }
    const outcomes: Outcome[] = written
      ? written.map((ok) => ({ ok }))
      : await Promise.all(batch.map((u) => update(raw, [u]).then(([ok]) => ({ ok }), (error: unknown) => ({ error }))));
    let next = 0;
    return updates.map((_u, i) => (once[i] ? outcomes[next++]! : { ok: undefined }));
  }, WRITES_IN_FLIGHT);
  return async (change) => {
    const outcome = await apply(change);
    if ('error' in outcome) throw outcome.error;
    return outcome.ok;
  };
}
