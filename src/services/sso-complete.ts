/**
 * The one way an SSO response becomes a sign-in, whatever the protocol: the response is made
 * single-use (S3, S8), then S4 (the email is on a verified domain of the connection's
 * organization), S6 (identity keyed by organization, issuer and subject; email linking only under
 * S4 and with a verified email), S5 (just-in-time enrolment through the one enrollment path:
 * Auto-enrollment or a pending invitation; D6 Blocked and U1 refused there), then a session.
 * S1: an untested connection signs nobody in but its own test. A test sign-in stops after S4 and
 * records the successful test; when the Owner started it in their own password + second-factor
 * session, it also links the identity to the Owner (S6: the Owner is never linked by email). Every
 * link by email is audited and mailed to the user. All in one transaction: a refusal writes nothing.
 */
import { DomainError, isDomainError } from '../errors.js';
import type { SsoTestAttributes } from '../store/sso-test-results.js';
import { normaliseEmail } from '../rules/domains.js';
import { hashToken } from '../security/tokens.js';
import { decideConnectionUse, decideSsoDomain } from '../rules/sso.js';
import { decideOwnerSelfLink, decideSsoIdentityLink } from '../rules/sso-identity.js';
import type { Repos } from '../store/index.js';
import type { Actor } from '../types.js';
import { audit, fail, snapshotOf } from './context.js';
import { enroll } from './enrollment.js';
import type { ServiceDeps } from './index.js';
import { queueMail } from './mail-queue.js';
import type { IssuedSession, SessionService } from './sessions.js';
import { loginStateInvalid } from './sso-login.js';
import type { SsoPurpose, SsoSingleUse, VerifiedIdentity } from './sso-types.js';

/** What a completed SSO response led to. */
export type SsoOutcome =
  | { readonly kind: 'signed_in'; readonly userSid: string; readonly session: IssuedSession; readonly via: 'identity' | 'linked' | 'enrolled' }
  | {
    readonly kind: 'tested'; readonly connectionId: string; readonly email: string;
    /** S6: the test linked the identity to the Owner who ran it (or it already was theirs). */
    readonly ownerLinked: boolean;
  };

function invalid(message: string, reason: string): never {
  throw new DomainError('sso_response_invalid', message, { cause: new Error(reason) });
}

/**
 * Consumes what makes the response single-use; returns why the login was started and the Owner a
 * test sign-in may link (S6).
 */
async function consumeOnce(repos: Repos, connectionId: string, once: SsoSingleUse, now: Date): Promise<{ purpose: SsoPurpose; linkUserSid: string | null }> {
  if (once.kind === 'oidc') return { purpose: once.purpose, linkUserSid: once.linkUserSid };
  let purpose: SsoPurpose = 'sign_in';
  let linkUserSid: string | null = null;
  if (once.requestId !== null) {
    // Bound to the browser that was sent to the IdP: a response posted from another browser
    // (login CSRF, session fixation) finds no request.
    if (typeof once.browserToken !== 'string' || once.browserToken === '') throw loginStateInvalid('SAML response without the login cookie');
    const request = await repos.ssoLoginState.consumeSamlRequest(once.requestId, connectionId, hashToken(once.browserToken), now);
    if (!request) throw loginStateInvalid('InResponseTo names no live request of this connection and browser (unknown, used, foreign or another browser)');
    purpose = request.purpose;
    linkUserSid = request.linkUserSid;
  }
  // S3, S8: INSERT ... ON CONFLICT DO NOTHING: of two instances, the second finds the first's row.
  if (!(await repos.ssoLoginState.recordAssertion(connectionId, once.assertionId, once.rememberUntil, now))) {
    throw loginStateInvalid('assertion ID seen before (replay)');
  }
  return { purpose, linkUserSid };
}

/** S6: what a user is told when a sign-in method was linked to them. */
function linkNotice(email: string, orgName: string, issuer: string, at: Date) {
  return {
    to: email,
    subject: 'A new sign-in method was linked to your user',
    body: `A new sign-in method was linked to your user ${email} in the organization "${orgName}" on Orgward:\n`
      + `single sign-on through the identity provider ${issuer}, at ${at.toISOString()}.\n\n`
      + 'If this was not you, tell the Owner of your organization now: they can see the link in the audit log '
      + '(action sso.identity_linked) and disable the connection.\n',
  };
}

/**
 * S6: the Owner's own test sign-in links the tested identity to the Owner, re-checked under the
 * row lock the link takes (still the active Owner, their own email, nobody else's identity);
 * audited as the Owner's act and mailed. True when the identity is the Owner's afterwards.
 */
async function linkOwner(
  repos: Repos, afterCommit: (fn: () => void) => void, deps: Pick<ServiceDeps, 'mailer'>,
  input: { identity: VerifiedIdentity; email: string; ownerSid: string; now: Date; requestId?: string | undefined },
): Promise<boolean> {
  const { identity, now } = input;
  const owner = await repos.users.lock(input.ownerSid);
  const existing = await repos.ssoIdentities.find(identity.orgSid, identity.issuer, identity.subject);
  const decision = decideOwnerSelfLink({
    orgSid: identity.orgSid, owner: owner ? snapshotOf(owner) : null, assertedEmail: input.email, identityUserSid: existing?.userSid ?? null,
    ownerHasIdentityFromIssuer: owner ? await repos.ssoIdentities.hasIssuer(owner.sid, identity.issuer) : false,
  });
  if (decision.kind !== 'link') return decision.kind === 'already_linked';
  await repos.ssoIdentities.insert({ orgSid: identity.orgSid, issuer: identity.issuer, subject: identity.subject, userSid: decision.userSid, connectionId: identity.connectionId, now });
  await audit(repos, { kind: 'user', userSid: decision.userSid, ...(input.requestId && { requestId: input.requestId }) }, {
    orgSid: identity.orgSid, action: 'sso.identity_linked', target: decision.userSid,
    after: { issuer: identity.issuer, subject: identity.subject, connectionId: identity.connectionId, via: 'owner_test_sign_in' },
  });
  const org = await repos.organizations.get(identity.orgSid);
  await queueMail(repos, afterCommit, deps, linkNotice(owner!.email, org?.name ?? identity.orgSid, identity.issuer, now));
  return true;
}

/** What a test sign-in shows the administrator of what the IdP sent. */
const testAttributes = (identity: VerifiedIdentity): SsoTestAttributes => ({
  issuer: identity.issuer, subject: identity.subject, email: identity.email, emailVerified: identity.emailVerified,
  displayName: identity.profile.displayName ?? null, givenName: identity.profile.givenName ?? null, familyName: identity.profile.familyName ?? null,
});

async function recordFailedTest(store: ServiceDeps['store'], identity: VerifiedIdentity, error: DomainError, now: Date): Promise<void> {
  await store.transaction(async (repos) => {
    const connection = await repos.ssoConnections.get(identity.connectionId);
    if (!connection || connection.orgSid !== identity.orgSid) return;
    await repos.ssoTestResults.record({
      connectionId: connection.id, orgSid: identity.orgSid, outcome: 'failed', errorCode: error.code, errorMessage: error.message,
      attributes: testAttributes(identity), testedAt: now,
    });
  });
}

export function createSsoCompletion(deps: Pick<ServiceDeps, 'store' | 'clock' | 'mailer'>, sessions: SessionService) {
  const { store, clock } = deps;
  return {
    /** Completes a verified SSO response in one transaction; see the file comment. */
    async completeSso(identity: VerifiedIdentity, once: SsoSingleUse, context: { requestId?: string } = {}): Promise<SsoOutcome> {
      const actor: Actor = { kind: 'system', ...(context.requestId && { requestId: context.requestId }) };
      let testing = false;
      return store.transaction(async (repos, afterCommit): Promise<SsoOutcome> => {
        const now = clock.now();
        // Consumed first (rolled back with any refusal): it tells a test from a sign-in.
        const { purpose, linkUserSid } = await consumeOnce(repos, identity.connectionId, once, now);
        testing = purpose === 'test';
        // S1 under the row lock a change takes: a test records its success (exclusive), a sign-in
        // only reads the test state (shared, so sign-ins do not queue behind each other).
        const connection = purpose === 'test' ? await repos.ssoConnections.lock(identity.connectionId) : await repos.ssoConnections.lockShared(identity.connectionId);
        if (!connection || connection.orgSid !== identity.orgSid || !connection.enabled) {
          invalid('This single sign-on connection is not available.', 'connection missing, disabled or of another organization');
        }
        const use = decideConnectionUse({ connection, purpose });
        if (use.kind === 'reject') fail(use);
        // S3: an OIDC email counts only when the IdP verified it.
        if (!identity.emailVerified) invalid('Your identity provider did not confirm your email address, so it cannot be used to sign in here.', 'email_verified is not true');
        const normal = normaliseEmail(identity.email);
        if (!normal.ok) invalid('Your identity provider did not send a usable email address.', 'no usable email in the response');
        const email = normal.email;
        const orgDomains = (await repos.domains.listByOrg(identity.orgSid)).filter((d) => d.verifiedAt !== null).map((d) => d.name);
        const domainDecision = decideSsoDomain(email, orgDomains);
        if (domainDecision.kind === 'reject') fail(domainDecision);

        if (purpose === 'test') {
          await repos.ssoConnections.markTested(connection.id, now);
          await repos.ssoTestResults.record({ connectionId: connection.id, orgSid: identity.orgSid, outcome: 'succeeded', errorCode: null, errorMessage: null, attributes: testAttributes(identity), testedAt: now });
          await audit(repos, actor, { orgSid: identity.orgSid, action: 'sso.connection_tested', target: connection.id, after: { email, issuer: identity.issuer, testedAt: now } });
          const ownerLinked = linkUserSid !== null
            && await linkOwner(repos, afterCommit, deps, { identity, email, ownerSid: linkUserSid, now, requestId: context.requestId });
          return { kind: 'tested', connectionId: connection.id, email, ownerLinked };
        }

        const linked = await repos.ssoIdentities.find(identity.orgSid, identity.issuer, identity.subject);
        const linkedUser = linked ? await repos.users.lock(linked.userSid) : undefined;
        const byEmail = linked ? undefined : await repos.users.lockByEmail(email);
        const decision = decideSsoIdentityLink({
          orgSid: identity.orgSid,
          linkedUser: linkedUser ? snapshotOf(linkedUser) : null,
          userByEmail: byEmail ? snapshotOf(byEmail) : null,
          userHasIdentityFromIssuer: byEmail ? await repos.ssoIdentities.hasIssuer(byEmail.sid, identity.issuer) : false,
          domainMatches: true,
          emailVerified: identity.emailVerified,
        });
        let userSid: string;
        let via: 'identity' | 'linked' | 'enrolled';
        switch (decision.kind) {
          case 'reject':
            return fail(decision);
          case 'sign_in':
            userSid = decision.userSid;
            via = 'identity';
            await repos.ssoIdentities.touch(identity.orgSid, identity.issuer, identity.subject, now);
            break;
          case 'link':
            userSid = decision.userSid;
            via = 'linked';
            break;
          case 'enroll': {
            const result = await enroll(repos, actor, { path: 'sso', email, targetOrgSid: identity.orgSid, profile: identity.profile, now });
            userSid = result.member.sid;
            via = 'enrolled';
            break;
          }
        }
        if (via !== 'identity') {
          await repos.ssoIdentities.insert({ orgSid: identity.orgSid, issuer: identity.issuer, subject: identity.subject, userSid, connectionId: connection.id, now });
          await audit(repos, actor, { orgSid: identity.orgSid, action: 'sso.identity_linked', target: userSid, after: { issuer: identity.issuer, subject: identity.subject, connectionId: connection.id, via } });
        }
        const user = (await repos.users.get(userSid))!;
        if (via === 'linked') {
          // S6: a link by email is mailed to the user, who may not have asked for it.
          const org = await repos.organizations.get(identity.orgSid);
          await queueMail(repos, afterCommit, deps, linkNotice(user.email, org?.name ?? identity.orgSid, identity.issuer, now));
        }
        const session = await sessions.issue(repos, { userSid, method: identity.protocol, connectionId: connection.id, passwordChangedAt: user.passwordChangedAt });
        return { kind: 'signed_in', userSid, session, via };
      }).catch(async (error: unknown) => {
        // S1: a refused test is recorded (after the rollback), so the administrator can read why.
        if (testing && isDomainError(error)) await recordFailedTest(store, identity, error, clock.now());
        throw error;
      });
    },
  };
}
