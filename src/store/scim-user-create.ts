/**
 * C2: new people join as provisioned Standard Users in ONE statement each (user, membership, SCIM
 * row and the two audit entries enrollment and provisioning write), once the enrollment rule has
 * decided `join` for someone without a user row.
 *
 * Creations arriving in the same turn of the event loop share one statement (scim-batch.ts): an
 * IdP pushes users in bulk and each round trip costs more than the inserts. A statement is atomic,
 * so when a batch fails (a duplicate email or userName, e.g. concurrent identical POSTs) nothing
 * of it was written and every creation is retried alone, each getting its own result: the unique
 * indexes on lower(email) and on the userName then answer 409 to exactly the duplicates.
 *
 * The rule decided on facts read a moment earlier; the statement re-checks, as it writes, that the
 * email's domain is still verified by the organization (D7, exact match D5) and has a policy the
 * rule lets people join under (D6: JOINABLE_DOMAIN_POLICIES, passed in, so SQL and rule agree).
 * A creation the check holds back comes out as undefined, and the service re-decides it in a
 * transaction.
 */
import type { Knex } from 'knex';
import { JOINABLE_DOMAIN_POLICIES } from '../rules/enrollment.js';
import { batcherFor } from './scim-batch.js';
import { rawQuery, type RawQuery } from './scim-sql.js';
import { mapUserRow, type ScimUserRecord, type ScimUserRow } from './scim-user-rows.js';

export interface NewScimMember {
  readonly orgSid: string;
  readonly userSid: string;
  readonly email: string;
  readonly displayName: string | null;
  readonly givenName: string | null;
  readonly familyName: string | null;
  readonly userName: string;
  readonly externalId: string | null;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly actor: string;
  readonly requestId: string | null;
  readonly joinedAudit: unknown;
  readonly provisionedAudit: unknown;
}

const CREATE = `WITH q AS (
    SELECT * FROM unnest(CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]),
      CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]))
      AS q(sid, email, display_name, given_name, family_name, org_sid, user_name, external_id, attributes, actor, request_id, joined, provisioned)),
  nu AS (INSERT INTO users (sid, email, display_name, given_name, family_name)
    SELECT sid, email, display_name, given_name, family_name FROM q
    WHERE EXISTS (SELECT 1 FROM domains d WHERE d.org_sid = q.org_sid AND d.verified_at IS NOT NULL
      AND d.policy = ANY(CAST(? AS text[])) AND lower(d.name) = lower(split_part(q.email, '@', 2)))
    RETURNING sid, email, status, display_name, given_name, family_name, updated_at),
  nm AS (INSERT INTO memberships (user_sid, org_sid, role) SELECT nu.sid, q.org_sid, 'standard' FROM nu JOIN q ON q.sid = nu.sid
    RETURNING user_sid, org_sid, role, created_at),
  ns AS (INSERT INTO scim_users (org_sid, user_sid, user_name, external_id, attributes)
    SELECT nm.org_sid, nm.user_sid, q.user_name, q.external_id, CAST(q.attributes AS jsonb) FROM nm JOIN q ON q.sid = nm.user_sid RETURNING *),
  na AS (INSERT INTO audit_log (org_sid, actor, action, target, after, request_id)
    SELECT nm.org_sid, q.actor, x.action, nm.user_sid, CAST(CASE x.action WHEN 'user.joined' THEN q.joined ELSE q.provisioned END AS jsonb), q.request_id
    FROM nm JOIN q ON q.sid = nm.user_sid CROSS JOIN (VALUES ('user.joined'), ('scim.user_provisioned')) AS x(action))
  SELECT nm.user_sid, nm.org_sid, nm.role, nm.created_at AS joined_at, nu.email, nu.status, nu.display_name, nu.given_name,
    nu.family_name, nu.updated_at AS u_updated_at, (extract(epoch FROM nu.updated_at) * 1000000)::bigint::text AS u_stamp,
    ns.user_name, ns.external_id, ns.attributes, ns.version, ns.created_at AS s_created_at, ns.updated_at AS s_updated_at,
    '[]'::json AS groups
  FROM nu JOIN nm ON nm.user_sid = nu.sid JOIN ns ON ns.user_sid = nu.sid`;

async function insert(raw: RawQuery, members: readonly NewScimMember[]): Promise<(ScimUserRecord | undefined)[]> {
  const column = (f: (m: NewScimMember) => string | null) => members.map(f);
  const { rows } = await raw(CREATE, [
    column((m) => m.userSid), column((m) => m.email), column((m) => m.displayName), column((m) => m.givenName), column((m) => m.familyName),
    column((m) => m.orgSid), column((m) => m.userName), column((m) => m.externalId), column((m) => JSON.stringify(m.attributes)),
    column((m) => m.actor), column((m) => m.requestId), column((m) => JSON.stringify(m.joinedAudit)), column((m) => JSON.stringify(m.provisionedAudit)),
    [...JOINABLE_DOMAIN_POLICIES],
  ]);
  const bySid = new Map((rows as ScimUserRow[]).map((r) => [r.user_sid, mapUserRow(r)]));
  return members.map((m) => bySid.get(m.userSid));
}

// Creations arriving while this many statements run wait and share the next one (and its commit).
const WRITES_IN_FLIGHT = 2;

type Outcome = { ok: ScimUserRecord | undefined } | { error: unknown };

/**
 * Creates a new member; concurrent calls share a statement, each resolving to its own record or
 * error, or to undefined when the domain re-check held it back.
 */
export function memberCreator(db: Knex | Knex.Transaction): (member: NewScimMember) => Promise<ScimUserRecord | undefined> {
  const raw = rawQuery(db);
  const create = batcherFor(db, 'createMember', async (members: readonly NewScimMember[]): Promise<Outcome[]> => {
    if (members.length > 1) {
      try {
        return (await insert(raw, members)).map((ok) => ({ ok }));
      } catch {
        // Retried one by one below: each gets its own answer.
      }
    }
    return Promise.all(members.map((m) => insert(raw, [m]).then(([ok]) => ({ ok }), (error: unknown) => ({ error }))));
  }, WRITES_IN_FLIGHT);
  return async (member) => {
    const outcome = await create(member);
    if ('error' in outcome) throw outcome.error;
    return outcome.ok;
  };
}
