/**
 * Self-service sign-up (O1, D6), email first: GET /signup asks for the address; POST /signup
 * sends SSO domains to their IdP (S2, S5) and everyone else a mail with the next step (a link,
 * or why not); the link's page asks for a password and, for a new organization, its name; then
 * the sign-in continues at once with the second-factor enrolment of /login (U4).
 */
import type { Router } from 'express';
import { DomainError, type ErrorCode } from '../../errors.js';
import type { Services } from '../../services/index.js';
import type { SignupOutcome } from '../../services/signup.js';
import { beginSso } from '../sso/begin.js';
import { CHALLENGE_COOKIE, setCookie } from './cookies.js';
import { csrfToken, requireCsrf } from './csrf.js';
import { csrfField, html, sendPage, type Raw } from './html.js';
import { sendDeadLink, sendRefusal, tokenParam } from './link-pages.js';
import { handle } from '../handle.js';
import { field } from './login.js';

export interface SignupPageDeps {
  readonly services: Services;
  readonly baseUrl: string;
  readonly secureCookies: boolean;
}

const ROLE_NAMES = { admin: 'an Administrator', standard: 'a Standard User' } as const;

function outcomeText(outcome: Exclude<SignupOutcome, { kind: 'refused' }>): Raw {
  return outcome.kind === 'join'
    ? html`<p>You join <strong>${outcome.orgName}</strong> as ${ROLE_NAMES[outcome.role]}.</p>`
    : html`<p>You get a new organization of your own, and you are its Owner.</p>
      <label for="organizationName">Organization name</label><input id="organizationName" name="organizationName" autocomplete="organization" maxlength="200">`;
}

export function signupRoutes(router: Router, deps: SignupPageDeps): void {
  const { services, secureCookies } = deps;
  const csrf = requireCsrf(deps.baseUrl);

  router.get('/signup', (req, res) => {
    sendPage(res, 200, 'Sign up', html`<form method="post" action="/signup">${csrfField(csrfToken(req, res, secureCookies))}
      <label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email" required>
      <button type="submit">Continue</button></form><p><small>We email you a link to confirm the address before anything else.</small></p>
      <p>Already have a user? <a href="/login">Sign in</a></p>`);
  });

  router.post('/signup', csrf, handle(async (req, res) => {
    const email = field(req, 'email');
    // S2, S5: a domain whose organization signs in through its IdP signs up there too.
    const found = await services.signIn.discover(email);
    if (found.kind === 'sso') {
      res.redirect(303, await beginSso(services, req, res, { connectionId: found.connectionId, protocol: found.protocol, purpose: 'sign_in', secureCookies }));
      return;
    }
    const asked = await services.signup.request(email);
    // The same answer whether or not the address has a user (no enumeration): the mail says what is next.
    sendPage(res, 200, 'Check your email', html`<p>We sent a message to <code>${asked.email}</code> with the next step. A sign-up link works once, for 24 hours.</p>`);
  }));

  router.get('/signup/:token', handle(async (req, res) => {
    const view = await services.signup.view(tokenParam(req));
    if (view.state !== 'live') return sendDeadLink(res, 'signup', view.state);
    if (view.outcome.kind === 'refused') {
      const next = view.outcome.code === 'user_exists' ? html`<p><a href="/login">Sign in</a> · <a href="/password-reset">Reset your password</a></p>` : undefined;
      return sendRefusal(req, res, 'Sign-up not possible', new DomainError(view.outcome.code as ErrorCode, view.outcome.message), next);
    }
    sendPage(res, 200, 'Finish signing up', html`<p>Signing up as <code>${view.email}</code>.</p>
      <form method="post">${csrfField(csrfToken(req, res, secureCookies))}
      ${outcomeText(view.outcome)}
      <label for="displayName">Your name</label><input id="displayName" name="displayName" autocomplete="name">
      <label for="password">Choose a password (at least 12 characters)</label><input id="password" name="password" type="password" autocomplete="new-password" required minlength="12">
      <p><small>Next you set up two-factor authentication with an authenticator app.</small></p>
      <button type="submit">Sign up</button></form>`);
  }));

  router.post('/signup/:token', csrf, handle(async (req, res) => {
    const password = field(req, 'password');
    const done = await services.signup.complete(tokenParam(req), {
      password, displayName: field(req, 'displayName'), organizationName: field(req, 'organizationName'),
    });
    // U4: straight on to the second-factor enrolment of a password sign-in.
    try {
      const challenge = await services.signIn.passwordSignIn({ email: done.email, password });
      setCookie(res, CHALLENGE_COOKIE, challenge.challengeToken, { secure: secureCookies, maxAgeMs: challenge.expiresAt.getTime() - services.deps.clock.now().getTime() });
      res.redirect(303, '/login/second-factor');
    } catch {
      // Signed up all the same; the sign-in page takes it from here.
      sendPage(res, 200, 'You signed up', html`<p>Your user <code>${done.email}</code> is ready. Sign in to set up two-factor authentication.</p><p><a href="/login">Sign in</a></p>`);
    }
  }));
}
