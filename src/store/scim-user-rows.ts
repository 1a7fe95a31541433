/**
 * How a SCIM User is read: the record type, the columns every user query selects (aliases m for
 * memberships, u for users, su for scim_users) and the row mapping, shared by the store and the
 * batched lookups.
 */
import type { Role, UserStatus } from '../rules/types.js';

/** A member as SCIM shows them. `version` changes whenever the representation's data does. */
export interface ScimUserRecord {
  readonly userSid: string;
  readonly orgSid: string;
  readonly role: Role;
  readonly email: string;
  readonly status: UserStatus;
  readonly displayName: string | null;
  readonly givenName: string | null;
  readonly familyName: string | null;
  /** True when the member has a SCIM row (was provisioned or adopted by the IdP). */
  readonly provisioned: boolean;
  /** As the IdP sent it; the email for members it never provisioned. */
  readonly userName: string;
  readonly externalId: string | null;
  /** The other SCIM attributes, as sent (canonical attribute names). */
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly groups: readonly { readonly id: string; readonly displayName: string }[];
  readonly created: Date;
  readonly lastModified: Date;
  readonly version: string;
}

export interface ScimUserRow {
  user_sid: string; org_sid: string; role: Role; joined_at: Date; email: string; status: UserStatus;
  display_name: string | null; given_name: string | null; family_name: string | null; u_updated_at: Date; u_stamp: string;
  user_name: string | null; external_id: string | null; attributes: Record<string, unknown> | null; version: number | null;
  s_created_at: Date | null; s_updated_at: Date | null; groups: { id: string; displayName: string }[] | string; total?: string;
}

/** The `groups` column of a member whose membership's columns are under `alias` (org_sid, user_sid). */
export function groupsColumn(alias: string): string {
  return `(SELECT COALESCE(json_agg(json_build_object('id', g.id, 'displayName', g.display_name) ORDER BY lower(g.display_name), g.id), '[]'::json)
     FROM scim_group_members gm JOIN scim_groups g ON g.id = gm.group_id
    WHERE gm.org_sid = ${alias}.org_sid AND gm.user_sid = ${alias}.user_sid) AS groups`;
}

export const USER_COLUMNS = `m.user_sid, m.org_sid, m.role, m.created_at AS joined_at, u.email, u.status, u.display_name, u.given_name,
  u.family_name, u.updated_at AS u_updated_at, (extract(epoch FROM u.updated_at) * 1000000)::bigint::text AS u_stamp,
  su.user_name, su.external_id, su.attributes, su.version, su.created_at AS s_created_at, su.updated_at AS s_updated_at,
  ${groupsColumn('m')}`;

export const mapUserRow = (r: ScimUserRow): ScimUserRecord => {
  const lastModified = r.s_updated_at && r.s_updated_at > r.u_updated_at ? r.s_updated_at : r.u_updated_at;
  return {
    userSid: r.user_sid, orgSid: r.org_sid, role: r.role, email: r.email, status: r.status,
    displayName: r.display_name, givenName: r.given_name, familyName: r.family_name,
    provisioned: r.user_name !== null, userName: r.user_name ?? r.email, externalId: r.external_id,
    attributes: r.attributes ?? {}, groups: typeof r.groups === 'string' ? JSON.parse(r.groups) : r.groups,
    created: r.s_created_at ?? r.joined_at, lastModified,
    version: `${r.version ?? 0}-${BigInt(r.u_stamp).toString(36)}`,
  };
};

/**
 * What a version (mapUserRow) is made of: the SCIM row's counter and the users row's updated_at
 * in microseconds (decimal), so a write can check that the member is still at the version read.
 */
export function versionParts(version: string): { readonly scim: number; readonly stamp: string } {
  const [scim, stamp36] = version.split('-');
  let stamp = 0n;
  for (const digit of stamp36 ?? '') stamp = stamp * 36n + BigInt(parseInt(digit, 36));
  return { scim: Number(scim), stamp: stamp.toString() };
}
