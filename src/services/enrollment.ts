/**
 * The one place a person joins an organization, whatever the path (sign-up, invitation, SCIM,
 * SSO, bulk import): load what the enrollment rule needs, ask it, persist its decision and audit it.
 * Runs inside the caller's transaction. Rules: O1, D5, D6, D7, U1, S4, S5, C2 (rules/enrollment.ts).
 */
import { DomainError } from '../errors.js';
import { newSid } from '../ids.js';
import { decideEnrollment, type EnrollmentPath } from '../rules/enrollment.js';
import { normaliseEmail } from '../rules/domains.js';
import { planNewOrganization } from '../rules/organizations.js';
import type { AssignableRole, DomainSnapshot } from '../rules/types.js';
import type { Repos } from '../store/index.js';
import type { Actor, Domain, Member } from '../types.js';
import { audit, fail, snapshotOf } from './context.js';
import { bringOwnerAccountsIn } from './owner-accounts.js';

export interface EnrollmentRequest {
  readonly path: EnrollmentPath;
  readonly email: string;
  /** The organization the person is brought into (all paths but sign-up). */
  readonly targetOrgSid?: string;
  /** The role asked for (invitation, SCIM, import); sign-up and SSO take it from the rule. */
  readonly role?: AssignableRole;
  readonly profile?: { displayName?: string | null; givenName?: string | null; familyName?: string | null };
  /** Sign-up only: the new user's password hash. */
  readonly passwordHash?: string | null;
  /** Sign-up only: the name of the organization to create when O1 applies. */
  readonly organizationName?: string;
  readonly now: Date;
}

export interface EnrollmentResult {
  readonly outcome: 'joined' | 'created_org' | 'already_member';
  readonly member: Member;
  readonly orgSid: string;
  /** True when the user row was created by this enrollment. */
  readonly newUser: boolean;
}

export const domainSnapshot = (d: Domain): DomainSnapshot => ({
  name: d.name, orgSid: d.orgSid, verified: d.verifiedAt !== null, policy: d.policy, ssoEnforced: d.ssoEnforced,
});

/** Decides and applies an enrollment in the caller's transaction; throws the rule's rejection. */
export async function enroll(repos: Repos, actor: Actor, request: EnrollmentRequest): Promise<EnrollmentResult> {
  const normal = normaliseEmail(request.email);
  if (!normal.ok) throw new DomainError('invalid_input', normal.message);
  // Lock the person's row (when they exist) so two paths cannot enrol them twice at once (U1).
  const existing = await repos.users.lockByEmail(normal.email);
  const verified = await repos.domains.findVerified(normal.domain);
  const invitationOrg = request.path === 'signup' ? verified?.orgSid : request.targetOrgSid;
  const invitation = invitationOrg && (request.path === 'signup' || request.path === 'sso')
    ? await repos.invitations.pendingFor(invitationOrg, normal.email, request.now)
    : undefined;

  const base = { email: normal.email, member: existing ? snapshotOf(existing) : null, verifiedDomain: verified ? domainSnapshot(verified) : null };
  const pending = invitation ? { orgSid: invitation.orgSid, role: invitation.role } : null;
  const decision = request.path === 'signup'
    ? decideEnrollment({ ...base, path: 'signup', invitation: pending })
    : request.path === 'sso'
      ? decideEnrollment({ ...base, path: 'sso', targetOrgSid: required(request.targetOrgSid), invitation: pending })
      : decideEnrollment({ ...base, path: request.path, targetOrgSid: required(request.targetOrgSid), role: request.role ?? 'standard' });

  switch (decision.kind) {
    case 'reject':
      return fail(decision);
    case 'already_member':
      return { outcome: 'already_member', member: existing!, orgSid: decision.orgSid, newUser: false };
    case 'join': {
      const user = existing ?? await createUser(repos, normal.email, request);
      await repos.users.join(user.sid, decision.orgSid, decision.role);
      if (invitation && invitation.orgSid === decision.orgSid) await repos.invitations.markAccepted(invitation.id, request.now);
      const member = (await repos.users.get(user.sid))!;
      await audit(repos, actor, { orgSid: decision.orgSid, action: 'user.joined', target: user.sid, after: { email: member.email, role: decision.role, path: request.path } });
      return { outcome: 'joined', member, orgSid: decision.orgSid, newUser: !existing };
    }
    case 'create_own_org': {
      const user = existing ?? await createUser(repos, normal.email, request);
      const plan = planNewOrganization(snapshotOf({ ...(await repos.users.get(user.sid))! }), request.organizationName);
      if (plan.kind === 'reject') return fail(plan);
      const orgSid = newSid('OR');
      const org = await repos.organizations.insert({ sid: orgSid, name: plan.name });
      await repos.users.join(user.sid, orgSid, 'owner');
      const member = (await repos.users.get(user.sid))!;
      await audit(repos, actor, { orgSid, action: 'organization.created', target: orgSid, after: { name: plan.name, ownerSid: user.sid } });
      // The Owner is the organization's first member: user.created like any other (issue 13).
      await audit(repos, actor, { orgSid, action: 'user.joined', target: user.sid, after: { email: member.email, role: 'owner', path: request.path } });
      // A4: an existing person's accounts join the organization created for them.
      if (existing) await bringOwnerAccountsIn(repos, actor, org, user.sid, 'organization_created');
      return { outcome: 'created_org', member, orgSid, newUser: !existing };
    }
  }
}

async function createUser(repos: Repos, email: string, request: EnrollmentRequest): Promise<Member> {
  const sid = newSid('US');
  await repos.users.insert({
    sid, email, displayName: request.profile?.displayName ?? null, givenName: request.profile?.givenName ?? null,
    familyName: request.profile?.familyName ?? null, passwordHash: request.passwordHash ?? null,
  });
  return (await repos.users.get(sid))!;
}

function required(orgSid: string | undefined): string {
  if (!orgSid) throw new DomainError('invalid_input', 'An organization is required for this kind of enrollment.');
  return orgSid;
}
