/**
 * The SCIM User resource (RFC 7643 §4.1, enterprise extension §4.3) ↔ Orgward's member record.
 * Core columns (email, names, status) come from users; the rest is what the IdP sent. A member the
 * IdP never provisioned shows userName = email and one work email (as the filters in
 * store/scim-attributes.ts assume).
 */
import { DomainError } from '../../errors.js';
import type { ScimEmail, ScimUserInput, ScimUserRecord } from '../../services/scim-users.js';
import { ScimError } from './errors.js';
import { coerceUser, ENTERPRISE_URN, USER_URN } from './schemas.js';

type Doc = Record<string, unknown>;
const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The resource's attributes (no schemas, meta or groups): what PATCH operates on. */
export function userDocument(r: ScimUserRecord): Doc {
  const { name, emails, [ENTERPRISE_URN]: enterprise, ...others } = r.attributes as Doc;
  const fullName = { ...(isObject(name) ? name : {}), ...(r.givenName !== null && { givenName: r.givenName }), ...(r.familyName !== null && { familyName: r.familyName }) };
  return {
    id: r.userSid,
    ...(r.externalId !== null && { externalId: r.externalId }),
    userName: r.userName,
    ...(Object.keys(fullName).length > 0 && { name: fullName }),
    ...(r.displayName !== null && { displayName: r.displayName }),
    ...others,
    active: r.status === 'active',
    emails: Array.isArray(emails) && emails.length > 0 ? emails : [{ value: r.email, type: 'work', primary: true }],
    ...(isObject(enterprise) && { [ENTERPRISE_URN]: enterprise }),
  };
}

export const etagOf = (version: string): string => `W/"${version}"`;

/** The full representation, with `groups` (read-only) and `meta` (RFC 7643 §3.1). */
export function renderUser(r: ScimUserRecord, base: string): Doc {
  const doc = userDocument(r);
  return {
    schemas: doc[ENTERPRISE_URN] ? [USER_URN, ENTERPRISE_URN] : [USER_URN],
    ...doc,
    ...(r.groups.length > 0 && {
      groups: r.groups.map((g) => ({ value: g.id, display: g.displayName, $ref: `${base}/Groups/${g.id}`, type: 'direct' })),
    }),
    meta: {
      resourceType: 'User', created: r.created.toISOString(), lastModified: r.lastModified.toISOString(),
      location: `${base}/Users/${r.userSid}`, version: etagOf(r.version),
    },
  };
}

/** A POST/PUT body (or a patched document) as the service's input: validated by the schema, canonical names. */
export function parseUserInput(body: unknown): ScimUserInput {
  if (!isObject(body)) throw new ScimError(400, 'invalidSyntax', 'A User is a JSON object.');
  const {
    schemas: _schemas, id: _id, meta: _meta, password: _password, groups: _groups,
    externalId, userName, active, displayName, name, emails, ...rest
  } = coerceUser(body);
  if (typeof userName !== 'string' || userName.trim() === '') throw new DomainError('invalid_input', 'userName is required and cannot be empty.');
  const { givenName, familyName, ...nameRest } = isObject(name) ? name : {};
  const attributes: Doc = { ...rest };
  if (Object.keys(nameRest).length > 0) attributes.name = nameRest;
  if (isObject(attributes[ENTERPRISE_URN]) && Object.keys(attributes[ENTERPRISE_URN] as Doc).length === 0) delete attributes[ENTERPRISE_URN];
  return {
    userName,
    externalId: str(externalId),
    active: active !== false,
    displayName: str(displayName),
    givenName: str(givenName),
    familyName: str(familyName),
    emails: Array.isArray(emails) ? emails.filter((e): e is ScimEmail => isObject(e) && typeof e.value === 'string') : [],
    attributes,
  };
}
