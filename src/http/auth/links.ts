/**
 * Pages behind the links Orgward mails: "forgot password" (U3 self-service, S7 sso_required)
 * and the password reset link (U3: single use, 24 hours). The invitation link is invitations.ts.
 * The services decide; these pages only ask and show.
 */
import type { Router } from 'express';
import type { Services } from '../../services/index.js';
import { csrfToken, requireCsrf } from './csrf.js';
import { csrfField, html, sendPage } from './html.js';
import { handle } from '../handle.js';
import { field } from './login.js';

export interface LinkDeps {
  readonly services: Services;
  readonly baseUrl: string;
  readonly secureCookies: boolean;
}

export function linkRoutes(router: Router, deps: LinkDeps): void {
  const { services, secureCookies } = deps;
  const csrf = requireCsrf(deps.baseUrl);

  router.get('/password-reset', (req, res) => {
    sendPage(res, 200, 'Reset your password', html`<form method="post" action="/password-reset">${csrfField(csrfToken(req, res, secureCookies))}
      <label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required>
      <button type="submit">Email me a reset link</button></form>`);
  });

  router.post('/password-reset', csrf, handle(async (req, res) => {
    await services.passwords.requestReset(field(req, 'email'));
    // The same answer whether or not the address is known (no account enumeration).
    sendPage(res, 200, 'Check your email', html`<p>If an account exists for that address, we sent it a link to choose a new password. The link works once, for 24 hours.</p>`);
  }));

  router.get('/password-reset/:token', (req, res) => {
    sendPage(res, 200, 'Choose a new password', html`<form method="post">${csrfField(csrfToken(req, res, secureCookies))}
      <label for="password">New password (at least 12 characters)</label><input id="password" name="password" type="password" autocomplete="new-password" required minlength="12">
      <button type="submit">Set password</button></form>`);
  });

  router.post('/password-reset/:token', csrf, handle(async (req, res) => {
    await services.passwords.completeReset(String(req.params.token ?? ''), field(req, 'password'));
    sendPage(res, 200, 'Password changed', html`<p>Your password was changed and you were signed out everywhere.</p><p><a href="/login">Sign in</a></p>`);
  }));
}
