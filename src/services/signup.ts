/**
 * Self-service sign-up, starting from the email (O1, D6): the person enters an address, Orgward
 * mails what happens next, and only the link in that mail leads to choosing a password. So the
 * mailbox is proven before a user exists, and the page answers the same whoever asked (no user
 * or invitation enumeration): a user who already exists, or a Restricted domain without an
 * invitation, is told by mail. Domain-wide answers (Blocked, SSO enforced) are shown at once.
 * The join itself goes through the one enrollment path (services/enrollment.ts).
 */
import { DomainError } from '../errors.js';
import { MAX_PERSON_NAME } from '../rules/bulk-import.js';
import { normaliseEmail } from '../rules/domains.js';
import { decideEnrollment, type EnrollmentDecision } from '../rules/enrollment.js';
import { decideLinkState, type LinkState } from '../rules/mailed-links.js';
import { normaliseName } from '../rules/names.js';
import { decidePasswordStrength } from '../rules/passwords.js';
import type { AssignableRole } from '../rules/types.js';
import { hashPassword } from '../security/passwords.js';
import { hashToken, newToken } from '../security/tokens.js';
import type { Repos } from '../store/index.js';
import type { Actor } from '../types.js';
import { fail, snapshotOf } from './context.js';
import { domainSnapshot, enroll } from './enrollment.js';
import type { ServiceDeps } from './index.js';
import { link, queueMail } from './mail-queue.js';
import { refuseWhenSsoEnforced } from './sso-gate.js';

/** How long a sign-up link works. */
export const SIGNUP_LINK_TTL_MS = 24 * 60 * 60 * 1000;

const SYSTEM: Actor = { kind: 'system' };

/** What completing the sign-up would do now. */
export type SignupOutcome =
  | { readonly kind: 'create_own_org' }
  | { readonly kind: 'join'; readonly orgName: string; readonly role: AssignableRole }
  | { readonly kind: 'refused'; readonly code: string; readonly message: string };

/** What the page behind a sign-up link shows. */
export type SignupView =
  | { readonly state: Exclude<LinkState, 'live'> }
  | { readonly state: 'live'; readonly email: string; readonly outcome: SignupOutcome };

/** A completed sign-up: the new user and where they landed. */
export interface SignupDone {
  readonly email: string;
  readonly userSid: string;
  readonly orgSid: string;
  readonly outcome: 'created_org' | 'joined';
}

const userExists = () => new DomainError('user_exists', 'A user with this email address already exists. Sign in, or reset your password at /password-reset.');
const linkDead = () => new DomainError('token_invalid', 'This sign-up link was already used or has expired. Start again at /signup.');

/** D6, O1: the enrollment decision for `email` as of now (no user row: a person who does not exist yet). */
async function decideFor(repos: Repos, email: string, domain: string, now: Date, asNewPerson: boolean): Promise<EnrollmentDecision> {
  const existing = asNewPerson ? undefined : await repos.users.getByEmail(email);
  const verified = await repos.domains.findVerified(domain);
  const invitation = verified && !asNewPerson ? await repos.invitations.pendingFor(verified.orgSid, email, now) : undefined;
  return decideEnrollment({
    path: 'signup', email, member: existing ? snapshotOf(existing) : null,
    verifiedDomain: verified ? domainSnapshot(verified) : null,
    invitation: invitation ? { orgSid: invitation.orgSid, role: invitation.role } : null,
  });
}

function displayNameOf(input: string | null | undefined): string | null {
  if (input === undefined || input === null || input.trim() === '') return null;
  const checked = normaliseName(input, 'name', MAX_PERSON_NAME);
  if (!checked.ok) throw new DomainError(checked.code, checked.message);
  return checked.name;
}

/** createSignupService: request a link, see what it leads to, complete with a password. */
export function createSignupService(deps: ServiceDeps) {
  const { store, clock, baseUrl } = deps;

  return {
    /**
     * Step 1: the email. Refused at once only for reasons that hold for the whole domain
     * (D6 Blocked: domain_blocked; U5/S7 SSO enforced: sso_required); everything else is answered
     * by mail: a sign-up link, "you already have a user", or "ask for an invitation" (D6 Restricted).
     */
    async request(email: string): Promise<{ email: string }> {
      const normal = normaliseEmail(email);
      if (!normal.ok) throw new DomainError(normal.code, normal.message);
      await refuseWhenSsoEnforced(store.read, normal.email, 'sign_in');
      const domainWide = await decideFor(store.read, normal.email, normal.domain, clock.now(), true);
      if (domainWide.kind === 'reject' && domainWide.code === 'domain_blocked') fail(domainWide);
      await store.transaction(async (repos, afterCommit) => {
        const now = clock.now();
        const existing = await repos.users.getByEmail(normal.email);
        const decision = existing ? undefined : await decideFor(repos, normal.email, normal.domain, now, false);
        let body: string;
        if (existing) {
          body = `Someone asked to sign up to Orgward with ${normal.email}, but you already have a user with this address.\n\n`
            + `Sign in here: ${link(baseUrl, '/login')}\nForgot your password? ${link(baseUrl, '/password-reset')}\n`;
        } else if (decision!.kind === 'reject') {
          body = `Someone asked to sign up to Orgward with ${normal.email}, but it cannot be done: ${decision!.message}\n`;
        } else {
          const token = newToken();
          const expiresAt = new Date(now.getTime() + SIGNUP_LINK_TTL_MS);
          await repos.signupVerifications.insert({ tokenHash: hashToken(token), email: normal.email, expiresAt });
          body = `Confirm your email address to finish signing up to Orgward. The link works once, for 24 hours:\n`
            + `${link(baseUrl, `/signup/${token}`)}\n\nIf you did not ask to sign up, ignore this message: nothing happens without you.\n`;
        }
        await queueMail(repos, afterCommit, deps, { to: normal.email, subject: 'Your Orgward sign-up', body });
      });
      return { email: normal.email };
    },

    /** Step 2: what the link leads to now (its state first, then the D6/O1 outcome). */
    async view(token: string): Promise<SignupView> {
      const now = clock.now();
      const found = typeof token === 'string' && token.length <= 128 ? await store.read.signupVerifications.find(hashToken(token)) : undefined;
      const state = decideLinkState(found, now);
      if (state !== 'live') return { state };
      const email = found!.email;
      const normal = normaliseEmail(email);
      if (!normal.ok) return { state: 'unknown' };
      if (await store.read.users.getByEmail(normal.email)) {
        return { state: 'live', email, outcome: { kind: 'refused', code: 'user_exists', message: userExists().message } };
      }
      const decision = await decideFor(store.read, normal.email, normal.domain, now, false);
      switch (decision.kind) {
        case 'create_own_org': return { state: 'live', email, outcome: { kind: 'create_own_org' } };
        case 'join': {
          const org = await store.read.organizations.get(decision.orgSid);
          return { state: 'live', email, outcome: { kind: 'join', orgName: org?.name ?? '', role: decision.role } };
        }
        case 'reject': return { state: 'live', email, outcome: { kind: 'refused', code: decision.code, message: decision.message } };
        case 'already_member': return { state: 'live', email, outcome: { kind: 'refused', code: 'user_exists', message: userExists().message } };
      }
    },

    /**
     * Step 3: the password (and names). In one transaction the link is consumed and the person
     * enrolled (O1: a new organization they own; D6: the domain's organization by Auto-enrollment
     * or a pending invitation). A weak password does not use up the link. The second factor is
     * enrolled at the first sign-in (U4), which the page starts at once.
     */
    async complete(token: string, input: { password: string; displayName?: string | null; organizationName?: string }): Promise<SignupDone> {
      if (typeof token !== 'string' || token === '' || token.length > 128) throw linkDead();
      const password = typeof input.password === 'string' ? input.password : '';
      const strength = decidePasswordStrength(password);
      if (strength.kind === 'reject') fail(strength);
      const displayName = displayNameOf(input.displayName);
      // Hash before the transaction: scrypt must not hold a connection or a lock.
      const passwordHash = await hashPassword(password);
      return store.transaction(async (repos) => {
        const now = clock.now();
        const used = await repos.signupVerifications.consume(hashToken(token), now);
        if (!used) throw linkDead();
        await refuseWhenSsoEnforced(repos, used.email, 'sign_in');
        if (await repos.users.lockByEmail(used.email)) throw userExists();
        const organizationName = input.organizationName?.trim() ? input.organizationName : undefined;
        const result = await enroll(repos, SYSTEM, {
          path: 'signup', email: used.email, passwordHash, profile: { displayName }, now,
          ...(organizationName !== undefined && { organizationName }),
        });
        if (result.outcome === 'already_member') throw userExists();
        return { email: result.member.email, userSid: result.member.sid, orgSid: result.orgSid, outcome: result.outcome };
      });
    },
  };
}

/** The sign-up service object. */
export type SignupService = ReturnType<typeof createSignupService>;
