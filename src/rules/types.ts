/**
 * The fixed vocabulary of Orgward (the database stores these exact strings) and the plain
 * snapshots every rule takes as input.
 *
 * Rules: O3 (roles), A1 (account management), A2 (usage, plan, status), D6 (domain policies).
 */

/** O3: the three organization roles. Exactly one member holds 'owner' (O2). */
export type Role = 'owner' | 'admin' | 'standard';
/** All roles, strongest first. */
export const ROLES = ['owner', 'admin', 'standard'] as const satisfies readonly Role[];

/** A role that can be given by invitation, import, SCIM or a group mapping: never 'owner' (O2, C5). */
export type AssignableRole = Exclude<Role, 'owner'>;

/** D6: what happens to people whose email is on a verified domain. 'restricted' is the default. */
export type DomainPolicy = 'restricted' | 'auto_enrollment' | 'blocked';
/** All domain policies. */
export const DOMAIN_POLICIES = ['restricted', 'auto_enrollment', 'blocked'] as const satisfies readonly DomainPolicy[];
/** D6: the policy a newly verified domain starts with. */
export const DEFAULT_DOMAIN_POLICY: DomainPolicy = 'restricted';

/** A1: how an account belongs to an organization. */
export type AccountManagement = 'managed' | 'independent' | 'pending';
/** All account management states. */
export const ACCOUNT_MANAGEMENTS = ['managed', 'independent', 'pending'] as const satisfies readonly AccountManagement[];

/** Lifecycle status of an account. */
export type AccountStatus = 'active' | 'suspended' | 'closed';
/** All account statuses. */
export const ACCOUNT_STATUSES = ['active', 'suspended', 'closed'] as const satisfies readonly AccountStatus[];

/** A2: what an account is used for. */
export type AccountUsage = 'twilio' | 'flex';
/** All account usages. */
export const ACCOUNT_USAGES = ['twilio', 'flex'] as const satisfies readonly AccountUsage[];

/** A2, A7: a trial account has not been upgraded. */
export type AccountPlan = 'trial' | 'upgraded';
/** All account plans. */
export const ACCOUNT_PLANS = ['trial', 'upgraded'] as const satisfies readonly AccountPlan[];

/** A user's status (C3: SCIM `active: false` suspends). */
export type UserStatus = 'active' | 'suspended';
/** All user statuses. */
export const USER_STATUSES = ['active', 'suspended'] as const satisfies readonly UserStatus[];

/** An organization as the rules see it. */
export interface OrgSnapshot {
  /** 'OR' + 32 lowercase hex. */
  readonly sid: string;
  /** O5: how many accounts the organization may hold. */
  readonly accountLimit: number;
  /** B1: whether an operator enabled bulk import. */
  readonly bulkImportEnabled: boolean;
  /** H1: when an operator recorded the executed BAA; null until then. */
  readonly baaExecutedAt: Date | null;
}

/** A user and their membership (U1: at most one organization). */
export interface MemberSnapshot {
  /** 'US' + 32 lowercase hex. */
  readonly userSid: string;
  /** The organization the user belongs to, or null. */
  readonly orgSid: string | null;
  /** The role in that organization; null when orgSid is null. */
  readonly role: Role | null;
  /** The email address, as stored (compared case-insensitively, U1). */
  readonly email: string;
  readonly status: UserStatus;
}

/** A domain registered by an organization. */
export interface DomainSnapshot {
  /** Normalised name (D1), e.g. 'corporate.com'. */
  readonly name: string;
  /** The organization that registered it. */
  readonly orgSid: string;
  /** D3: true once the TXT record was found. Only one organization can hold it verified (D4). */
  readonly verified: boolean;
  readonly policy: DomainPolicy;
  /** S1: SSO is enforced for people with this email domain. */
  readonly ssoEnforced: boolean;
}

/** An account as the rules see it. */
export interface AccountSnapshot {
  /** 'AC' + 32 lowercase hex. */
  readonly sid: string;
  /** The organization the account is in (managed, independent or pending), or null. */
  readonly orgSid: string | null;
  /** A1; null when orgSid is null. */
  readonly management: AccountManagement | null;
  /** The user who owns the account (U2). */
  readonly ownerSid: string;
  /** The parent account for a subaccount (A7), else null. */
  readonly parentSid: string | null;
  readonly plan: AccountPlan;
  readonly status: AccountStatus;
  /** H2: the HIPAA flag. */
  readonly hipaa: boolean;
}
