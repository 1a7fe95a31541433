/**
 * The claims Orgward's OpenID provider issues about a person to the product's apps (issue 13),
 * computed at each issuance (ID token, userinfo) so they follow every change. The accounts claim
 * asks the same R2-R5 rule the API and the console ask (rules/account-roles.ts,
 * effectiveAccountRoles): subaccounts inherit their parent's roles (R4), a suspended account or
 * user holds nothing (R5). Above a configured size the accounts claim is left out (the app then
 * asks the check API), so tokens stay small.
 */
import { effectiveAccountRoles } from '../rules/account-roles.js';
import type { Role } from '../types.js';
import { accountSnapshot } from './account-support.js';
import { snapshotOf } from './context.js';
import type { ServiceDeps } from './index.js';

/** `*` in `permissions`: the account Administrator, who holds every permission (R1). */
export const ALL_PERMISSIONS = '*';

export interface AccountClaim {
  readonly id: string;
  readonly name: string;
  /** Role names (Administrator, Developer, a custom role's name…). */
  readonly roles: readonly string[];
  readonly permissions: readonly string[];
}

export interface PersonClaims {
  readonly sub: string;
  readonly email: string;
  readonly email_verified: boolean;
  readonly org: { readonly id: string; readonly name: string } | null;
  readonly org_role: Role | null;
  /** Absent when larger than the configured limit. */
  readonly accounts?: readonly AccountClaim[];
}

/** Default limit of the accounts claim, in bytes of JSON (OIDC_MAX_ACCOUNTS_CLAIM_BYTES). */
export const DEFAULT_MAX_ACCOUNTS_CLAIM_BYTES = 8192;

export function createOidcClaimsService(deps: ServiceDeps) {
  const repos = deps.store.read;
  return {
    /**
     * Whether the person may still hold tokens: an active user (suspension and removal end every
     * grant at once too, store/oidc-session-ends.ts; this check covers what raced with it).
     */
    async inGoodStanding(userSid: string): Promise<boolean> {
      const user = await repos.users.get(userSid);
      return user !== undefined && user.status === 'active';
    },

    /** The person's claims now; undefined when they may not hold tokens any more. */
    async claimsOf(userSid: string, maxAccountsBytes = deps.oidcMaxAccountsClaimBytes ?? DEFAULT_MAX_ACCOUNTS_CLAIM_BYTES): Promise<PersonClaims | undefined> {
      const user = await repos.users.get(userSid);
      if (!user || user.status !== 'active') return undefined;
      // Every way into Orgward proves the address: a mailed link, an invitation, or the
      // organization's IdP on a domain it verified.
      const base = { sub: user.sid, email: user.email, email_verified: true };
      if (user.orgSid === null || user.role === null) return { ...base, org: null, org_role: null, accounts: [] };
      const [org, accounts, assignments, catalogue] = await Promise.all([
        repos.organizations.get(user.orgSid), repos.accounts.listByOrg(user.orgSid),
        repos.roleAssignments.list(user.orgSid, { userSid: user.sid }), repos.roles.list(),
      ]);
      const names = new Map(catalogue.map((r) => [r.sid, r.name]));
      const member = snapshotOf(user);
      const claims: AccountClaim[] = [];
      for (const account of accounts) {
        const held = effectiveAccountRoles(member, accountSnapshot(account), assignments, catalogue);
        if (held.roleSids.length === 0) continue;
        claims.push({
          id: account.sid, name: account.name, roles: held.roleSids.map((sid) => names.get(sid) ?? sid),
          permissions: held.allPermissions ? [ALL_PERMISSIONS] : held.permissions,
        });
      }
      const fits = Buffer.byteLength(JSON.stringify(claims)) <= maxAccountsBytes;
      return { ...base, org: org ? { id: org.sid, name: org.name } : null, org_role: user.role, ...(fits && { accounts: claims }) };
    },
  };
}

export type OidcClaimsService = ReturnType<typeof createOidcClaimsService>;
