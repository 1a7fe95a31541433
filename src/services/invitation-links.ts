/**
 * The invitation link as the invited person sees it: whether it still works, and how they will
 * sign in afterwards (a password for a person who has none, or SSO where the domain enforces it:
 * S7). Accepting is invitations.accept.
 */
import { decideLinkState, type LinkState } from '../rules/mailed-links.js';
import type { AssignableRole } from '../rules/types.js';
import { hashToken } from '../security/tokens.js';
import type { ServiceDeps } from './index.js';
import { ssoRefusal } from './sso-gate.js';

/** What the invitation page shows. */
export type InvitationLinkView =
  | { readonly state: Exclude<LinkState, 'live'> }
  | {
    readonly state: 'live';
    readonly email: string;
    readonly orgName: string;
    readonly role: AssignableRole;
    /** S7: the domain enforces SSO; the invitation is accepted by signing in through it. */
    readonly ssoRequired: boolean;
    /** The person has no password yet, so accepting here needs one. */
    readonly passwordNeeded: boolean;
  };

/** createInvitationLinks: the state of an invitation link. */
export function createInvitationLinks(deps: ServiceDeps) {
  const { store, clock } = deps;

  return {
    async view(token: string): Promise<InvitationLinkView> {
      const invitation = typeof token === 'string' && token !== '' && token.length <= 128
        ? await store.read.invitations.getByTokenHash(hashToken(token))
        : undefined;
      const state = decideLinkState(invitation && { expiresAt: invitation.expiresAt, usedAt: invitation.acceptedAt, revokedAt: invitation.revokedAt }, clock.now());
      if (state !== 'live') return { state };
      const org = await store.read.organizations.get(invitation!.orgSid);
      if (!org) return { state: 'withdrawn' };
      const user = await store.read.users.getByEmail(invitation!.email);
      const credentials = user ? await store.read.users.credentials(user.sid) : undefined;
      return {
        state: 'live', email: invitation!.email, orgName: org.name, role: invitation!.role,
        ssoRequired: (await ssoRefusal(store.read, invitation!.email, 'invitation_acceptance')) !== null,
        passwordNeeded: !credentials?.password_hash,
      };
    },
  };
}

/** The invitation-link service object. */
export type InvitationLinks = ReturnType<typeof createInvitationLinks>;
