/**
 * Where each SCIM attribute lives in the database, for filters and sorting (RFC 7643 §4).
 * Users: core columns of users (email, names, status) and the member's scim_users row (userName
 * as sent, externalId, and the other attributes as JSON); the aliases are m (memberships),
 * u (users), su (scim_users). Groups: alias g (scim_groups), members in scim_group_members.
 * The representation built by http/scim follows the same choices (e.g. a member without a SCIM
 * row has userName = email and one work email).
 */
import type { AttrRegistry, MultiAttr, ScalarAttr, ScalarType, ScimAttrPath, SqlFragment } from './scim-filter-sql.js';
import { UUID_PATTERN } from '../ids.js';

export const CORE_USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const CORE_GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';

const scalar = (sql: string, type: ScalarType = 'string', caseExact = false, eq?: (v: string) => SqlFragment): ScalarAttr =>
  ({ kind: 'scalar', type, caseExact, sql, ...(eq && { eq }) });

/** A value every resource of the type shares (meta.resourceType). */
const constant = (value: string): ScalarAttr => ({ ...scalar(`'${value}'`, 'string', true), constant: true });

/** A text value inside su.attributes: keys are the canonical attribute names (constants, never input). */
const json = (...keys: string[]): string => {
  const last = keys[keys.length - 1]!;
  return `(su.attributes${keys.slice(0, -1).map((k) => ` -> '${k}'`).join('')} ->> '${last}')`;
};

const element = (key: string): ScalarAttr => scalar(`(el.e ->> '${key}')`);
const PRIMARY = scalar(`COALESCE((el.e ->> 'primary') = 'true', false)`, 'boolean');
const PLURAL_SUBS = { value: element('value'), display: element('display'), type: element('type'), primary: PRIMARY };

/** A multi-valued complex attribute stored as a JSON array in su.attributes. */
const jsonMulti = (key: string, sub: Record<string, ScalarAttr>, fallback = `'[]'::jsonb`): MultiAttr => ({
  kind: 'multi',
  from: `jsonb_array_elements(COALESCE(su.attributes -> '${key}', ${fallback})) WITH ORDINALITY AS el(e, n)`,
  correlate: 'true',
  order: 'el.n',
  sub,
});

// Case-exactness as the schemas advertise it (/Schemas), for filters and sorting alike.
const USER_SCALARS: Readonly<Record<string, ScalarAttr>> = {
  externalid: scalar('su.external_id', 'string', true),
  displayname: scalar('u.display_name'),
  nickname: scalar(json('nickName')),
  profileurl: scalar(json('profileUrl')),
  title: scalar(json('title')),
  usertype: scalar(json('userType')),
  preferredlanguage: scalar(json('preferredLanguage')),
  locale: scalar(json('locale')),
  timezone: scalar(json('timezone')),
  active: scalar(`(u.status = 'active')`, 'boolean'),
  'name.givenname': scalar('u.given_name'),
  'name.familyname': scalar('u.family_name'),
  'name.formatted': scalar(json('name', 'formatted')),
  'name.middlename': scalar(json('name', 'middleName')),
  'name.honorificprefix': scalar(json('name', 'honorificPrefix')),
  'name.honorificsuffix': scalar(json('name', 'honorificSuffix')),
  'meta.created': scalar('COALESCE(su.created_at, m.created_at)', 'dateTime'),
  'meta.lastmodified': scalar('GREATEST(u.updated_at, su.updated_at)', 'dateTime'),
  'meta.resourcetype': constant('User'),
};

const ENTERPRISE_SCALARS: Readonly<Record<string, ScalarAttr>> = Object.fromEntries([
  ['employeenumber', 'employeeNumber'], ['costcenter', 'costCenter'], ['organization', 'organization'],
  ['division', 'division'], ['department', 'department'],
].map(([lower, key]) => [lower!, scalar(json(ENTERPRISE_USER_URN, key!))]).concat([
  ['manager.value', scalar(json(ENTERPRISE_USER_URN, 'manager', 'value'))],
  ['manager.displayname', scalar(json(ENTERPRISE_USER_URN, 'manager', 'displayName'))],
]));

const ADDRESS_SUBS = Object.fromEntries(
  ['formatted', 'streetAddress', 'locality', 'region', 'postalCode', 'country', 'type'].map((k) => [k.toLowerCase(), element(k)]),
);

const USER_MULTIS: Readonly<Record<string, MultiAttr>> = {
  // A member without SCIM attributes has one work email: their address (as the representation shows).
  emails: jsonMulti('emails', PLURAL_SUBS, `jsonb_build_array(jsonb_build_object('value', u.email, 'type', 'work', 'primary', true))`),
  phonenumbers: jsonMulti('phoneNumbers', PLURAL_SUBS),
  ims: jsonMulti('ims', PLURAL_SUBS),
  photos: jsonMulti('photos', PLURAL_SUBS),
  entitlements: jsonMulti('entitlements', PLURAL_SUBS),
  roles: jsonMulti('roles', PLURAL_SUBS),
  // Binary values are case-exact (RFC 7643 §2.3.6).
  x509certificates: jsonMulti('x509Certificates', { ...PLURAL_SUBS, value: scalar(`(el.e ->> 'value')`, 'string', true) }),
  addresses: jsonMulti('addresses', { ...ADDRESS_SUBS, primary: PRIMARY }),
  groups: {
    kind: 'multi',
    from: 'scim_group_members el JOIN scim_groups eg ON eg.id = el.group_id',
    correlate: 'el.org_sid = m.org_sid AND el.user_sid = m.user_sid',
    // As the representation lists them (scim-user-rows.ts).
    order: 'lower(eg.display_name), eg.id',
    sub: { value: scalar('eg.id::text', 'string', true), display: scalar('eg.display_name'), type: scalar(`'direct'`) },
  },
};

const isCore = (schema: string | null, urn: string) => schema === null || schema === urn.toLowerCase();

const lookup = (path: ScimAttrPath, scalars: Readonly<Record<string, ScalarAttr>>, multis: Readonly<Record<string, MultiAttr>>) => {
  const multi = multis[path.attr];
  if (multi) return multi;
  return scalars[path.sub === null ? path.attr : `${path.attr}.${path.sub}`];
};

/**
 * The Users registry of one organization. `userName eq` (the lookup Okta and Entra make before
 * every create) uses the unique index on scim_users.lower(user_name) and the one on lower(email).
 */
export function userAttributes(orgSid: string): AttrRegistry {
  const userName = scalar('COALESCE(su.user_name, u.email)', 'string', false, (v) => ({
    sql: `m.user_sid IN (SELECT s.user_sid FROM scim_users s WHERE s.org_sid = ? AND lower(s.user_name) = lower(?)
      UNION ALL SELECT x.sid FROM users x WHERE lower(x.email) = lower(?)
        AND NOT EXISTS (SELECT 1 FROM scim_users y WHERE y.org_sid = ? AND y.user_sid = x.sid))`,
    bindings: [orgSid, v, v, orgSid],
  }));
  const id = scalar('m.user_sid', 'string', true);
  // Entra's match by email: members whose SCIM emails hold the address (GIN index on
  // scim_email_keys), and members whose address it is (shown as their one work email when their
  // SCIM row has no emails); the exact EXISTS then decides.
  const emails: MultiAttr = {
    ...USER_MULTIS.emails!,
    valueEq: (v) => ({
      // An array computed once (an InitPlan) that the memberships index is probed with: the plan
      // starts from these few members whatever the statistics say (right after an IdP's first
      // sync they are stale). No org_sid inside: m.org_sid restricts already.
      sql: `m.user_sid = ANY(ARRAY(SELECT s.user_sid FROM scim_users s WHERE scim_email_keys(s.attributes) @> ARRAY[lower(?)]
        UNION ALL SELECT x.sid FROM users x WHERE lower(x.email) = lower(?)))`,
      bindings: [v, v],
    }),
  };
  return (path) => {
    if (path.schema === ENTERPRISE_USER_URN.toLowerCase()) {
      return ENTERPRISE_SCALARS[path.sub === null ? path.attr : `${path.attr}.${path.sub}`];
    }
    if (!isCore(path.schema, CORE_USER_URN)) return undefined;
    if (path.attr === 'username' && path.sub === null) return userName;
    if (path.attr === 'id' && path.sub === null) return id;
    if (path.attr === 'emails') return emails;
    return lookup(path, USER_SCALARS, USER_MULTIS);
  };
}


/** Whether `id` can be a group id (malformed ids are simply not found, never a database error). */
export const isGroupId = (id: string): boolean => UUID_PATTERN.test(id);

const GROUP_SCALARS: Readonly<Record<string, ScalarAttr>> = {
  id: scalar('g.id::text', 'string', true, (v) => (isGroupId(v) ? { sql: '(g.id = CAST(? AS uuid))', bindings: [v] } : { sql: 'false', bindings: [] })),
  displayname: scalar('g.display_name'),
  externalid: scalar('g.external_id', 'string', true),
  'meta.created': scalar('g.created_at', 'dateTime'),
  'meta.lastmodified': scalar('g.updated_at', 'dateTime'),
  'meta.resourcetype': constant('Group'),
};

// RFC 7643 §4.2 members.display: the member's displayName, else their userName (as the User resource shows them).
const MEMBER_DISPLAY = `(SELECT COALESCE(du.display_name, ds.user_name, du.email) FROM users du
  LEFT JOIN scim_users ds ON ds.org_sid = el.org_sid AND ds.user_sid = du.sid WHERE du.sid = el.user_sid)`;

const MEMBER_SUBS = { value: scalar('el.user_sid', 'string', true), display: scalar(MEMBER_DISPLAY), type: scalar(`'User'`) };

const GROUP_MULTIS: Readonly<Record<string, MultiAttr>> = {
  members: { kind: 'multi', from: 'scim_group_members el', correlate: 'el.group_id = g.id', order: 'el.user_sid', sub: MEMBER_SUBS },
};

/** The Groups registry (alias g). */
export const groupAttributes: AttrRegistry = (path) => (isCore(path.schema, CORE_GROUP_URN) ? lookup(path, GROUP_SCALARS, GROUP_MULTIS) : undefined);

/** A group's members as PATCH value filters see them (`members[value eq "..."]`), alias el. */
export const memberAttributes: AttrRegistry = (path) => (path.schema === null && path.sub === null ? MEMBER_SUBS[path.attr as keyof typeof MEMBER_SUBS] : undefined);
