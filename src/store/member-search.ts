/**
 * The SQL of one page of an organization's user list (issue 10), as one statement.
 *
 * The list is every email match in email order, then the display-name matches whose email does not
 * match, in (name, SID) order. The keys are the members' lower-cased email and display name,
 * compared in C (code point) order, kept on the membership row (migration
 * 20261208300000_index_member_search). A prefix `p` is the range `[lower(p), orgward_prefix_end(lower(p)))`:
 * lower() is the database's, as in the keys, and a range of parameters is one a prepared
 * statement's generic plan turns into index bounds (a LIKE pattern is not).
 *
 * The statement returns, tagged by `phase`: the email matches (1), then, only when those did not
 * fill the page, the name matches (2), and a row (0) when the organization exists and was not
 * merged away. The SQL text depends only on the shape of the search (which filters, which cursor),
 * never on values, so each shape is prepared once per connection.
 */
import type { Member, Role, UserStatus } from '../types.js';

/**
 * Where a page of the user list ends (keyset paging, no OFFSET). The list is every email match in
 * email order, then the display-name-only matches in name order ('name' phase); without a search
 * only the first phase exists. Keys are the database's lower() of the column, compared in C order.
 */
export type MemberCursor =
  | { readonly phase: 'email'; readonly key: string }
  | { readonly phase: 'name'; readonly key: string; readonly sid: string };

export const SIGN_IN_METHODS = ['sso', 'password'] as const;
export type SignInMethod = (typeof SIGN_IN_METHODS)[number];

/** A search of one organization's members (issue 10 user list). */
export interface MemberSearch {
  /** Prefix of the email address or of the display name, case-insensitive. */
  readonly prefix?: string;
  /** Exactly this user SID. */
  readonly sid?: string;
  readonly role?: Role;
  readonly status?: UserStatus;
  /** Only members who can sign in this way: through SSO (an identity from an IdP) or with a password. */
  readonly signIn?: SignInMethod;
  readonly after?: MemberCursor;
  /** Read backwards: the `limit` members just before this cursor's member (the previous page). */
  readonly before?: MemberCursor;
  readonly limit: number;
}

/** A page, where the next and the previous ones start, and whether the organization exists (not merged away). */
export interface MemberPage {
  readonly members: Member[];
  readonly next: MemberCursor | null;
  /** Pass as `before` for the previous page; null on the first page. */
  readonly previous: MemberCursor | null;
  readonly orgFound: boolean;
}

export interface SearchRow {
  phase: 0 | 1 | 2; key: string; sid: string; email: string; display_name: string | null; given_name: string | null;
  family_name: string | null; status: UserStatus; second_factor_required: boolean; org_sid: string; role: Role;
  created_ms: number; updated_ms: number; password_changed_ms: number | null;
}

// Timestamps as epoch milliseconds, truncated as the driver truncates a timestamptz to a Date
// (parsing 150 timestamp strings was a fifth of a page's server CPU).
const epochMs = (column: string) => `floor(extract(epoch FROM ${column}) * 1000)::float8`;
const COLUMNS = `u.sid, u.email, u.display_name, u.given_name, u.family_name, u.status, u.second_factor_required, m.org_sid, m.role,
  ${epochMs('u.created_at')} AS created_ms, ${epochMs('u.updated_at')} AS updated_ms, ${epochMs('u.password_changed_at')} AS password_changed_ms`;
const NO_COLUMNS = Array.from({ length: 12 }, () => 'NULL').join(', ');

export const mapSearchRow = (r: SearchRow): Member => ({
  sid: r.sid, email: r.email, displayName: r.display_name, givenName: r.given_name, familyName: r.family_name, status: r.status,
  passwordChangedAt: r.password_changed_ms === null ? null : new Date(r.password_changed_ms), secondFactorRequired: r.second_factor_required,
  createdAt: new Date(r.created_ms), updatedAt: new Date(r.updated_ms), orgSid: r.org_sid, role: r.role,
});

const LOWERED = 'lower(CAST(? AS text)) COLLATE "C"';
const PARAM = 'CAST(? AS text) COLLATE "C"';

/** Where the list goes on after (or, read backwards, stops before) this row. */
export const cursorOf = (r: SearchRow): MemberCursor => (r.phase === 2 ? { phase: 'name', key: r.key, sid: r.sid } : { phase: 'email', key: r.key });

/**
 * The statement for one search; bindings in the order of the `?` in the text.
 *
 * Forwards, the email matches come first (the materialized `e`) and the name matches fill the rest
 * of the page. Backwards (`before`), each part is read in descending order and the part the cursor
 * is in comes first: from a name match, the names before it, then the email matches fill the rest.
 */
export function memberSearchSql(orgSid: string, q: MemberSearch): { sql: string; bindings: unknown[] } {
  const bindings: unknown[] = [];
  const bind = (value: unknown, sql: string) => { bindings.push(value); return sql; };
  const filters = () => [
    q.role !== undefined ? bind(q.role, ' AND m.role = CAST(? AS text)') : '',
    q.status !== undefined ? bind(q.status, ' AND u.status = CAST(? AS text)') : '',
    q.signIn === 'sso' ? ' AND EXISTS (SELECT 1 FROM sso_identities si WHERE si.user_sid = m.user_sid)' : '',
    q.signIn === 'password' ? ' AND u.password_hash IS NOT NULL' : '',
  ].join('');
  const prefix = q.sid === undefined && q.prefix !== undefined && q.prefix !== '' ? q.prefix : undefined;
  // Only a prefix made of U+10FFFF has no end (every key from it on starts with it): no upper bound then.
  const bounded = prefix !== undefined && !/^\u{10FFFF}+$/u.test(prefix);
  const below = (key: string) => (bounded ? bind(prefix, ` AND ${key} < orgward_prefix_end(lower(CAST(? AS text)))`) : '');
  const backwards = q.before !== undefined;
  const cursor = q.before ?? q.after;
  const order = backwards ? 'DESC' : 'ASC';
  const FROM = 'FROM memberships m JOIN users u ON u.sid = m.user_sid';
  const noEmail = `SELECT 1 AS phase, m.email_key AS key, ${COLUMNS} ${FROM} WHERE false`;
  // The part read second only fills what the first (`e`) left of the page (+1: is there more?).
  const room = (second: boolean) => (second ? bind(q.limit, ' AND (SELECT count(*) FROM e) <= CAST(? AS int)') : '');
  const limit = (second: boolean) => (second ? bind(q.limit + 1, '(SELECT CAST(? AS int) - count(*) FROM e)') : bind(q.limit + 1, 'CAST(? AS int)'));

  const emailPart = (second: boolean) => {
    let where = bind(orgSid, 'm.org_sid = CAST(? AS text)');
    if (q.sid !== undefined) where += cursor === undefined ? bind(q.sid, ' AND m.user_sid = CAST(? AS text)') : ' AND false';
    if (prefix !== undefined) where += bind(prefix, ` AND m.email_key >= ${LOWERED}`) + below('m.email_key');
    if (cursor?.phase === 'email') where += bind(cursor.key, ` AND m.email_key ${backwards ? '<' : '>'} ${PARAM}`);
    where += filters() + room(second);
    return `SELECT 1 AS phase, m.email_key AS key, ${COLUMNS} ${FROM} WHERE ${where} ORDER BY m.email_key ${order} LIMIT ${limit(second)}`;
  };
  const namePart = (search: string, second: boolean) => {
    let where = bind(orgSid, 'm.org_sid = CAST(? AS text) AND m.name_key IS NOT NULL');
    if (backwards) {
      where += bind(search, ` AND m.name_key >= ${LOWERED}`);
      if (cursor?.phase === 'name') where += bind(cursor.key, ` AND (m.name_key, m.user_sid) < (${PARAM}, `) + bind(cursor.sid, 'CAST(? AS text))');
    } else {
      // One lower bound on (name, SID): the cursor's when it is past the prefix's start, else the start.
      const start = cursor?.phase === 'name'
        ? bind(cursor.key, `CASE WHEN ${PARAM} < `) + bind(search, `${LOWERED} THEN `) + bind(search, `${LOWERED} ELSE `) + bind(cursor.key, `${PARAM} END, `)
          + bind(cursor.key, `CASE WHEN ${PARAM} < `) + bind(search, `${LOWERED} THEN '' ELSE `) + bind(cursor.sid, 'CAST(? AS text) END')
        : bind(search, `${LOWERED}, ''`);
      where += ` AND (m.name_key, m.user_sid) > (${start})`;
    }
    where += below('m.name_key') + bind(search, ' AND NOT starts_with(m.email_key, lower(CAST(? AS text)))') + filters() + room(second);
    return `SELECT 2 AS phase, m.name_key AS key, ${COLUMNS} ${FROM}
      WHERE ${where} ORDER BY m.name_key ${order}, m.user_sid ${order} LIMIT ${limit(second)}`;
  };

  // Built in the order they appear in the text, so that the bindings follow it.
  let parts: string;
  if (!backwards) {
    const first = cursor === undefined || cursor.phase === 'email' ? emailPart(false) : noEmail; // past the email matches: none of them again
    parts = `WITH e AS MATERIALIZED (${first}) SELECT * FROM e${prefix === undefined ? '' : ` UNION ALL (${namePart(prefix, true)})`}`;
  } else if (cursor?.phase === 'name') {
    // Without a search there are no name matches: a name cursor then reads nothing.
    parts = prefix === undefined ? `WITH e AS MATERIALIZED (${noEmail}) SELECT * FROM e`
      : `WITH e AS MATERIALIZED (${namePart(prefix, false)}) SELECT * FROM e UNION ALL (${emailPart(true)})`;
  } else {
    parts = `WITH e AS MATERIALIZED (${emailPart(false)}) SELECT * FROM e`;
  }
  const org = bind(orgSid, ` UNION ALL SELECT 0, NULL, ${NO_COLUMNS} FROM organizations WHERE sid = CAST(? AS text) AND merged_into_sid IS NULL`);
  return { sql: parts + org, bindings };
}
