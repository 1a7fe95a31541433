/**
 * Sign-in pages. GET /login asks for the email; POST /login discovers the way in (S2) and either
 * redirects to the organization's IdP or asks for the password. POST /login/password checks it
 * (U5: sso_required on enforced domains; back-off after failures) and leads to the TOTP step
 * (U4), which issues the session. POST /logout ends it.
 */
import type { Request, Router } from 'express';
import type { Services } from '../../services/index.js';
import { beginSso } from '../sso/begin.js';
import { CHALLENGE_COOKIE, readCookie, SESSION_COOKIE, setCookie } from './cookies.js';
import { csrfToken, requireCsrf } from './csrf.js';
import { csrfField, html, sendPage, type Raw } from './html.js';
import { endSession, startSession } from './session.js';
import { handle } from '../handle.js';
import { signInStep } from '../sign-in-events.js';
import { canonicalRecoveryCode } from '../../services/recovery-codes.js';
import type { Logger } from '../../logger.js';
import type { Metrics } from '../../metrics/registry.js';

export interface LoginDeps {
  readonly services: Services;
  readonly baseUrl: string;
  readonly secureCookies: boolean;
  readonly logger: Logger;
  readonly metrics?: Metrics | undefined;
}

export const field = (req: Request, name: string): string => {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
};

function emailForm(csrf: string, email = ''): Raw {
  return html`<form method="post" action="/login">${csrfField(csrf)}
    <label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="${email}">
    <button type="submit">Continue</button></form>
    <p><a href="/password-reset">Forgot your password?</a></p>`;
}

export function loginRoutes(router: Router, deps: LoginDeps): void {
  const { services, secureCookies } = deps;
  const csrf = requireCsrf(deps.baseUrl);

  router.get('/login', (req, res) => {
    const token = csrfToken(req, res, secureCookies);
    const who = req.signedIn;
    if (who) {
      sendPage(res, 200, 'Signed in', html`<p>You are signed in as <code>${who.email}</code>.</p>
        <p><a href="/admin">Open the Admin Center</a></p>
        <form method="post" action="/logout">${csrfField(token)}<button type="submit">Sign out</button></form>`);
      return;
    }
    sendPage(res, 200, 'Sign in', emailForm(token));
  });

  router.post('/login', csrf, handle(async (req, res) => {
    const found = await services.signIn.discover(field(req, 'email'));
    if (found.kind === 'sso') {
      res.redirect(303, await beginSso(services, req, res, { connectionId: found.connectionId, protocol: found.protocol, purpose: 'sign_in', secureCookies }));
      return;
    }
    sendPage(res, 200, 'Sign in', html`<form method="post" action="/login/password">${csrfField(csrfToken(req, res, secureCookies))}
      <label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="${found.email}">
      <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
      <button type="submit">Sign in</button></form><p><a href="/password-reset">Forgot your password?</a></p>`);
  }));

  router.post('/login/password', csrf, handle(async (req, res) => {
    const email = field(req, 'email');
    const clientAddress = req.ip ?? 'unknown';
    // Logged and counted for a SIEM (sign-in-events.ts): who and from where, never the password.
    const challenge = await signInStep(deps, 'password', { email: email.slice(0, 320), clientAddress }, () =>
      services.signIn.passwordSignIn({ email, password: field(req, 'password'), clientAddress }));
    setCookie(res, CHALLENGE_COOKIE, challenge.challengeToken, { secure: secureCookies, maxAgeMs: challenge.expiresAt.getTime() - services.deps.clock.now().getTime() });
    res.redirect(303, '/login/second-factor');
  }));

  router.get('/login/second-factor', handle(async (req, res) => {
    const view = await services.signIn.challenge(readCookie(req, CHALLENGE_COOKIE));
    const form = html`<form method="post" action="/login/second-factor">${csrfField(csrfToken(req, res, secureCookies))}
      <label for="code">6-digit code (or a recovery code)</label><input id="code" name="code" autocomplete="one-time-code" required>
      <button type="submit">Verify</button></form>`;
    if (view.step === 'verify') {
      sendPage(res, 200, 'Two-factor authentication', html`<p>Enter the code from your authenticator app for <code>${view.email}</code>.</p>${form}`);
      return;
    }
    const codes = (view.recoveryCodes ?? []).map((c) => html`<li><code>${c}</code></li>`);
    sendPage(res, 200, 'Set up two-factor authentication', html`<p>Add <code>${view.email}</code> to an authenticator app with this key, then enter the code it shows.</p>
      <p>Key: <code id="totp-secret">${view.secret}</code></p><p><small>Or open: <code id="totp-uri">${view.otpauthUri}</code></small></p>
      <p>Keep these recovery codes somewhere safe. Each works once instead of a code, if you lose your authenticator app; they are shown only now.</p>
      <ul id="recovery-codes">${codes}</ul>${form}`);
  }));

  router.post('/login/second-factor', csrf, handle(async (req, res) => {
    const code = field(req, 'code');
    // A recovery code has its own shape (services/recovery-codes.ts); anything else is a TOTP attempt.
    const method = canonicalRecoveryCode(code) === null ? 'totp' : 'recovery_code';
    const result = await signInStep(deps, method, { clientAddress: req.ip ?? 'unknown' },
      () => services.signIn.secondFactor({ challengeToken: readCookie(req, CHALLENGE_COOKIE), code }), (r) => ({ userSid: r.userSid }));
    startSession(res, result.session, secureCookies, services.deps.clock.now());
    res.redirect(303, '/login');
  }));

  router.post('/logout', csrf, handle(async (req, res) => {
    await services.sessions.signOut(readCookie(req, SESSION_COOKIE));
    endSession(res, secureCookies);
    res.redirect(303, '/login');
  }));
}
