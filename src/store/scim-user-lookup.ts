/**
 * The lookups IdPs make before every create (Okta: `userName eq "..."`; Entra: `externalId eq
 * "..."`), batched (scim-batch.ts): under load most lookups share a round trip and the
 * statement's fixed cost in PostgreSQL.
 */
import type { Knex } from 'knex';
import { batcherFor } from './scim-batch.js';
import { rawQuery, type RawQuery } from './scim-sql.js';
import { USER_COLUMNS, type ScimUserRow } from './scim-user-rows.js';

// A provisioned member by userName as sent, or a member the IdP never provisioned by email; `ord`
// says which lookup of the batch a row answers.
const BY_USER_NAME = `SELECT q.ord, ${USER_COLUMNS}
    FROM unnest(CAST(? AS text[]), CAST(? AS text[])) WITH ORDINALITY AS q(org_sid, name, ord)
    JOIN scim_users su ON su.org_sid = q.org_sid AND lower(su.user_name) = lower(q.name)
    JOIN memberships m ON m.user_sid = su.user_sid AND m.org_sid = su.org_sid
    JOIN users u ON u.sid = su.user_sid
  UNION ALL
  SELECT q.ord, ${USER_COLUMNS}
    FROM unnest(CAST(? AS text[]), CAST(? AS text[])) WITH ORDINALITY AS q(org_sid, name, ord)
    JOIN users u ON lower(u.email) = lower(q.name)
    JOIN memberships m ON m.user_sid = u.sid AND m.org_sid = q.org_sid
    LEFT JOIN scim_users su ON su.org_sid = m.org_sid AND su.user_sid = m.user_sid
    WHERE su.user_sid IS NULL
  ORDER BY ord, user_sid`;

// Provisioned members by externalId (case-exact, RFC 7643 §3.1), as scim_users_external_id indexes it.
const BY_EXTERNAL_ID = `SELECT q.ord, ${USER_COLUMNS}
    FROM unnest(CAST(? AS text[]), CAST(? AS text[])) WITH ORDINALITY AS q(org_sid, external_id, ord)
    JOIN scim_users su ON su.org_sid = q.org_sid AND su.external_id = q.external_id
    JOIN memberships m ON m.user_sid = su.user_sid AND m.org_sid = su.org_sid
    JOIN users u ON u.sid = su.user_sid
  ORDER BY ord, user_sid`;

/** A batched lookup: its statement and how the asked organizations and values bind to it. */
interface LookupQuery { readonly sql: string; bindings(orgs: string[], values: string[]): unknown[] }

// The userName statement reads the pairs twice (provisioned members, then never-provisioned ones).
const USER_NAME: LookupQuery = { sql: BY_USER_NAME, bindings: (orgs, values) => [orgs, values, orgs, values] };
const EXTERNAL_ID: LookupQuery = { sql: BY_EXTERNAL_ID, bindings: (orgs, values) => [orgs, values] };

async function run(raw: RawQuery, query: LookupQuery, lookups: readonly (readonly [string, string])[]): Promise<ScimUserRow[][]> {
  const { rows } = await raw(query.sql, query.bindings(lookups.map((l) => l[0]), lookups.map((l) => l[1])));
  const answers = lookups.map(() => [] as ScimUserRow[]);
  for (const row of rows as (ScimUserRow & { ord: string })[]) answers[Number(row.ord) - 1]!.push(row);
  return answers;
}

/** The members of `orgSid` whose userName (or, never provisioned, email) is `name`, case-insensitively. */
export function userNameLookup(db: Knex | Knex.Transaction): (orgSid: string, name: string) => Promise<ScimUserRow[]> {
  const raw = rawQuery(db);
  const lookup = batcherFor(db, 'userName', (lookups: readonly (readonly [string, string])[]) => run(raw, USER_NAME, lookups));
  return (orgSid, name) => lookup([orgSid, name]);
}

/** The provisioned members of `orgSid` whose externalId is `externalId` (case-exact). */
export function externalIdLookup(db: Knex | Knex.Transaction): (orgSid: string, externalId: string) => Promise<ScimUserRow[]> {
  const raw = rawQuery(db);
  const lookup = batcherFor(db, 'externalId', (lookups: readonly (readonly [string, string])[]) => run(raw, EXTERNAL_ID, lookups));
  return (orgSid, externalId) => lookup([orgSid, externalId]);
}
