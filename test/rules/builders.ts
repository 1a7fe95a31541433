// Snapshot builders for the rules tests: valid defaults, override what a case is about.
import type { AccountSnapshot, DomainSnapshot, MemberSnapshot, OrgSnapshot } from '../../src/rules/index.js';

/** A SID with `prefix` whose 32 hex digits encode `n`. */
export const sid = (prefix: 'OR' | 'US' | 'AC', n: number): string => prefix + n.toString(16).padStart(32, '0');

export const ORG_A = sid('OR', 0xa);
export const ORG_B = sid('OR', 0xb);
export const OWNER = sid('US', 1);
export const ADMIN = sid('US', 2);
export const STANDARD = sid('US', 3);
export const OUTSIDER = sid('US', 4);

export const org = (over: Partial<OrgSnapshot> = {}): OrgSnapshot => ({
  sid: ORG_A, accountLimit: 10, bulkImportEnabled: true, baaExecutedAt: null, ...over,
});

export const member = (over: Partial<MemberSnapshot> = {}): MemberSnapshot => ({
  userSid: STANDARD, orgSid: ORG_A, role: 'standard', email: 'sam@corporate.com', status: 'active', ...over,
});

export const owner = (over: Partial<MemberSnapshot> = {}): MemberSnapshot =>
  member({ userSid: OWNER, role: 'owner', email: 'olga@corporate.com', ...over });
export const admin = (over: Partial<MemberSnapshot> = {}): MemberSnapshot =>
  member({ userSid: ADMIN, role: 'admin', email: 'adam@corporate.com', ...over });
export const standard = (over: Partial<MemberSnapshot> = {}): MemberSnapshot => member(over);
export const outsider = (over: Partial<MemberSnapshot> = {}): MemberSnapshot =>
  member({ userSid: OUTSIDER, orgSid: ORG_B, role: 'admin', email: 'otto@other.com', ...over });

export const domain = (over: Partial<DomainSnapshot> = {}): DomainSnapshot => ({
  name: 'corporate.com', orgSid: ORG_A, verified: true, policy: 'restricted', ssoEnforced: false, ...over,
});

export const account = (over: Partial<AccountSnapshot> = {}): AccountSnapshot => ({
  sid: sid('AC', 1), orgSid: ORG_A, management: 'managed', ownerSid: STANDARD, parentSid: null,
  plan: 'trial', status: 'active', hipaa: false, ...over,
});
