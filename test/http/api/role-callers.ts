/**
 * Every kind of caller of the Organizations API, for role-enforcement tables: the Owner, an
 * Administrator and a Standard User signed in to the console (session cookie + CSRF header), an
 * admin and a read-only API client, the operator client, and an admin client of another
 * organization. Each is a set of request headers.
 */
import type { TestContext } from '../../support/app.js';
import { addMember, createOrgWithOwner, type OrgWithOwner } from '../../support/fixtures.js';
import type { Member } from '../../../src/types.js';
import { apiClient, tokenFor } from './support.js';

export const CALLERS = ['owner', 'admin', 'standard', 'adminClient', 'readOnlyClient', 'operator', 'otherOrgClient'] as const;
export type Caller = (typeof CALLERS)[number];

export interface RoleCallers {
  readonly org: OrgWithOwner;
  readonly other: OrgWithOwner;
  readonly admin: Member;
  readonly standard: Member;
  /** The headers that make a request come from `caller`. */
  headers(caller: Caller): Record<string, string>;
}

const CSRF = 'r'.repeat(43);

async function sessionHeaders(ctx: TestContext, userSid: string): Promise<Record<string, string>> {
  const session = await ctx.store.transaction((repos) => ctx.services.sessions.issue(repos, { userSid, method: 'password', passwordChangedAt: null }));
  return { Cookie: `orgward_session=${session.token}; orgward_csrf=${CSRF}`, 'X-CSRF-Token': CSRF };
}

/** An organization on `domain` with an Owner, an Administrator and a Standard User, and callers of each kind. */
export async function roleCallers(ctx: TestContext, domain: string): Promise<RoleCallers> {
  const org = await createOrgWithOwner(ctx, { ownerEmail: `owner@${domain}` });
  const other = await createOrgWithOwner(ctx, { ownerEmail: `owner@other-${domain}` });
  const admin = await addMember(ctx, org.org.sid, `admin@${domain}`, 'admin');
  const standard = await addMember(ctx, org.org.sid, `standard@${domain}`, 'standard');
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const headers: Record<Caller, Record<string, string>> = {
    owner: await sessionHeaders(ctx, org.owner.sid),
    admin: await sessionHeaders(ctx, admin.sid),
    standard: await sessionHeaders(ctx, standard.sid),
    adminClient: bearer(await tokenFor(ctx, await apiClient(ctx, org.ownerActor, org.org.sid, 'admin'))),
    readOnlyClient: bearer(await tokenFor(ctx, await apiClient(ctx, org.ownerActor, org.org.sid, 'read-only'))),
    operator: bearer(await tokenFor(ctx, await ctx.services.apiClients.createOperatorClient({ kind: 'operator' }, { name: 'ops' }))),
    otherOrgClient: bearer(await tokenFor(ctx, await apiClient(ctx, other.ownerActor, other.org.sid, 'admin'))),
  };
  return { org, other, admin, standard, headers: (caller) => headers[caller] };
}
