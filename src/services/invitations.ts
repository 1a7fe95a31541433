/**
 * Invitations: an administrator invites a person by email (D7 the domain is verified by the
 * organization, D6 not Blocked, U1 not in another organization: the enrollment rule decides), the
 * person accepts through the link in the mail, joining through the one enrollment path.
 * Only the SHA-256 digest of the link's token is stored; a link works for 7 days and once;
 * inviting the same email again with the same role renews the pending invitation (its old link
 * stops working); with another role it is refused unless asked to replace (decideReinvitation).
 */
import { DomainError } from '../errors.js';
import { MAX_PERSON_NAME } from '../rules/bulk-import.js';
import { normaliseEmail } from '../rules/domains.js';
import { decideEnrollment } from '../rules/enrollment.js';
import { normaliseName } from '../rules/names.js';
import { decideReinvitation, type InvitationReplacement } from '../rules/reinvitation.js';
import { decidePasswordStrength } from '../rules/passwords.js';
import type { AssignableRole } from '../rules/types.js';
import { hashPassword } from '../security/passwords.js';
import { hashToken, newToken } from '../security/tokens.js';
import type { Repos } from '../store/index.js';
import { actorLabel, type Actor, type Invitation } from '../types.js';
import { audit, authorize, fail, snapshotOf } from './context.js';
import { endSessionsOfUser } from './session-ends.js';
import { domainSnapshot, enroll } from './enrollment.js';
import type { ServiceDeps } from './index.js';
import { link, queueMail } from './mail-queue.js';
import { refuseWhenSsoEnforced } from './sso-gate.js';
import { UUID_PATTERN } from '../ids.js';

/** How long an invitation link works. */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** A pending invitation as administrators see it (never its token). */
export interface InvitationView {
  readonly invitationId: string;
  readonly email: string;
  readonly role: AssignableRole;
  readonly expiresAt: Date;
  readonly invitedBy: string | null;
  readonly createdAt: Date;
}

/** What invite returns: the new invitation and, when one was pending, what changed for it. */
export interface InvitationSent extends InvitationView {
  readonly replaced: InvitationReplacement | null;
}

const view = (i: Invitation): InvitationView => ({
  invitationId: i.id, email: i.email, role: i.role, expiresAt: i.expiresAt, invitedBy: i.invitedBy, createdAt: i.createdAt,
});

const SYSTEM: Actor = { kind: 'system' };
const ROLE_NAMES: Readonly<Record<AssignableRole, string>> = { admin: 'an Administrator', standard: 'a Standard User' };

function assignableRole(role: unknown): AssignableRole {
  if (role === 'admin' || role === 'standard') return role;
  throw new DomainError('invalid_input', 'Choose the role to invite as: admin or standard. The Owner role is only handed over (O2).');
}

function tokenInvalid(): never {
  throw new DomainError('token_invalid', 'This invitation link is not valid any more: it was used, replaced, revoked or has expired. Ask an administrator to invite you again.');
}

/** Refuses (password_required) when the user has no password; the caller's transaction rolls back. */
async function requirePasswordOf(repos: Repos, userSid: string): Promise<void> {
  const credentials = await repos.users.credentials(userSid);
  if (!credentials?.password_hash) {
    throw new DomainError('password_required', 'Choose a password (at least 12 characters) to accept the invitation: you will sign in with it.');
  }
}

/** createInvitationsService: invite, accept, revoke, list pending (D6, D7, U1, S7). */
export function createInvitationsService(deps: ServiceDeps) {
  const { store, clock } = deps;

  const service = {
    /**
     * D7, D6, U1: invites `email` into the organization as `role` and mails the link
     * `${baseUrl}/invitations/${token}`. A pending invitation for the same email is replaced when
     * it offers the same role or `replace` is true; otherwise invitation_pending. `replaced` says
     * what changed (the earlier invitation, its role from → to).
     */
    async invite(actor: Actor, orgSid: string, input: { email: string; role?: AssignableRole; replace?: boolean; renewOnly?: string }): Promise<InvitationSent> {
      const role = assignableRole(input.role ?? 'standard');
      const normal = normaliseEmail(input.email);
      if (!normal.ok) throw new DomainError(normal.code, normal.message);
      return store.transaction(async (repos, afterCommit) => {
        const now = clock.now();
        const { org } = await authorize(repos, actor, orgSid, 'manage_users');
        const existing = await repos.users.getByEmail(normal.email);
        const verified = await repos.domains.findVerified(normal.domain);
        // The same decision acceptance will take, asked now so that hopeless invitations are not sent.
        const decision = decideEnrollment({
          path: 'invitation', email: normal.email, member: existing ? snapshotOf(existing) : null,
          verifiedDomain: verified ? domainSnapshot(verified) : null, targetOrgSid: orgSid, role,
        });
        if (decision.kind === 'reject') fail(decision);
        if (decision.kind === 'already_member') throw new DomainError('user_exists', `${normal.email} is already a member of this organization.`);
        // Locked: two re-invitations at once decide one after the other (the unique index backs it).
        const pending = await repos.invitations.lockPendingFor(orgSid, normal.email, now);
        // A resend renews only the invitation it names: revoked or accepted meanwhile, it is gone.
        if (input.renewOnly !== undefined && pending?.id !== input.renewOnly) throw new DomainError('not_found', 'There is no pending invitation with this id in the organization.');
        const again = decideReinvitation(normal.email, pending ? { invitationId: pending.id, role: pending.role, expiresAt: pending.expiresAt } : null, role, input.replace === true);
        if (again.kind === 'reject') fail(again);
        const replaced = again.kind === 'replace' ? again.replaced : null;
        // Expired invitations too: they would still hold the one-open-invitation-per-email index.
        await repos.invitations.revokeOpen(orgSid, normal.email, now);
        const token = newToken();
        const invitation = await repos.invitations.insert({
          orgSid, email: normal.email, role, tokenHash: hashToken(token), invitedBy: actorLabel(actor), expiresAt: new Date(now.getTime() + INVITATION_TTL_MS),
        });
        await audit(repos, actor, {
          orgSid, action: 'invitation.created', target: invitation.id,
          after: { email: invitation.email, role, expiresAt: invitation.expiresAt, replaced },
        });
        await queueMail(repos, afterCommit, deps, {
          to: invitation.email,
          subject: `You are invited to join ${org.name}`,
          body: `You are invited to join the organization "${org.name}" on Orgward as ${ROLE_NAMES[role]}.\n\n`
            + `Accept the invitation here (the link works for 7 days):\n${link(deps.baseUrl, `/invitations/${token}`)}\n`,
        });
        return { ...view(invitation), replaced };
      });
    },

    /**
     * Accepts the invitation behind `token` (enroll path 'invitation', the invitation's role; D6,
     * D7 and U1 are checked again now). A new user is created with `password` when given; an
     * existing user's password is replaced when one is given (the link proves the mailbox, like a
     * reset link). S7: refused with sso_required when the domain enforces SSO. A person who has
     * no password yet must choose one (password_required), so that they can sign in afterwards.
     */
    async accept(token: string, input: { password?: string; displayName?: string | null } = {}): Promise<{ userSid: string; orgSid: string }> {
      if (typeof token !== 'string' || token === '') tokenInvalid();
      let passwordHash: string | null = null;
      if (input.password !== undefined) {
        const strength = decidePasswordStrength(String(input.password));
        if (strength.kind === 'reject') fail(strength);
        passwordHash = await hashPassword(input.password);
      }
      const name = input.displayName ? normaliseName(input.displayName, 'name', MAX_PERSON_NAME) : null;
      if (name && !name.ok) throw new DomainError(name.code, name.message);
      return store.transaction(async (repos) => {
        const now = clock.now();
        const invitation = await repos.invitations.getByTokenHash(hashToken(token));
        if (!invitation || invitation.acceptedAt || invitation.revokedAt || invitation.expiresAt.getTime() <= now.getTime()) tokenInvalid();
        await refuseWhenSsoEnforced(repos, invitation.email, 'invitation_acceptance');
        const result = await enroll(repos, SYSTEM, {
          path: 'invitation', email: invitation.email, targetOrgSid: invitation.orgSid, role: invitation.role,
          profile: { displayName: name?.ok ? name.name : null }, passwordHash, now,
        });
        if (result.outcome === 'already_member' && result.orgSid !== invitation.orgSid) {
          throw new DomainError('member_of_other_org', `${invitation.email} already belongs to another organization.`);
        }
        // A person without a password could never sign in after joining: one is required here
        // (checked after the rules, so that a refusal by them is what the person hears first).
        if (passwordHash === null) await requirePasswordOf(repos, result.member.sid);
        if (passwordHash !== null && !result.newUser) {
          await repos.users.update(result.member.sid, { passwordHash, passwordChangedAt: now, failedSignIns: 0, lockedUntil: null });
          await endSessionsOfUser(repos, { kind: 'user', userSid: result.member.sid }, { orgSid: invitation.orgSid, userSid: result.member.sid, reason: 'password_changed', now });
        }
        await repos.invitations.markAccepted(invitation.id, now);
        await audit(repos, SYSTEM, {
          orgSid: invitation.orgSid, action: 'invitation.accepted', target: invitation.id,
          after: { userSid: result.member.sid, email: invitation.email, role: result.member.role },
        });
        return { userSid: result.member.sid, orgSid: invitation.orgSid };
      });
    },

    /** Revokes a pending invitation: its link stops working. */
    async revoke(actor: Actor, orgSid: string, invitationId: string): Promise<{ invitationId: string; revoked: true }> {
      return store.transaction(async (repos) => {
        await authorize(repos, actor, orgSid, 'manage_users');
        const invitation = UUID_PATTERN.test(String(invitationId)) ? await repos.invitations.get(orgSid, invitationId) : undefined;
        if (!invitation || invitation.acceptedAt || invitation.revokedAt) {
          throw new DomainError('not_found', 'There is no pending invitation with this id in the organization.');
        }
        await repos.invitations.revoke(invitation.id, clock.now());
        await audit(repos, actor, { orgSid, action: 'invitation.revoked', target: invitation.id, before: { email: invitation.email, role: invitation.role } });
        return { invitationId: invitation.id, revoked: true as const };
      });
    },

    /**
     * Mails a pending invitation again with a new link (the old link stops working; the 7 days
     * start again): the same email and role, through invite, which checks the rules again.
     */
    async resend(actor: Actor, orgSid: string, invitationId: string): Promise<InvitationSent> {
      await authorize(store.read, actor, orgSid, 'manage_users');
      const invitation = UUID_PATTERN.test(String(invitationId))
        ? (await store.read.invitations.listPending(orgSid, clock.now())).find((i) => i.id === invitationId) : undefined;
      if (!invitation) throw new DomainError('not_found', 'There is no pending invitation with this id in the organization.');
      return service.invite(actor, orgSid, { email: invitation.email, role: invitation.role, renewOnly: invitation.id });
    },

    /** Invitations not yet accepted, revoked or expired (O3: for those who see the users). */
    async listPending(actor: Actor, orgSid: string): Promise<InvitationView[]> {
      await authorize(store.read, actor, orgSid, 'view_users');
      return (await store.read.invitations.listPending(orgSid, clock.now())).map(view);
    },
  };
  return service;
}

/** The invitations service object. */
export type InvitationsService = ReturnType<typeof createInvitationsService>;
