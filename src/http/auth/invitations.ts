/**
 * The invitation page behind the mailed link. A used, expired or replaced link says so at once.
 * A person without a password chooses one (they sign in with it, enrolling the second factor at
 * the first sign-in, U4); one who has a password keeps it; where the domain enforces SSO (S7) the
 * invitation is accepted by signing in through it (S5: the pending invitation lets them in).
 */
import type { Router } from 'express';
import type { Services } from '../../services/index.js';
import { csrfToken, requireCsrf } from './csrf.js';
import { csrfField, html, sendPage } from './html.js';
import { sendDeadLink, tokenParam } from './link-pages.js';
import { handle } from '../handle.js';
import { field } from './login.js';

export interface InvitationPageDeps {
  readonly services: Services;
  readonly baseUrl: string;
  readonly secureCookies: boolean;
}

const ROLE_NAMES = { admin: 'an Administrator', standard: 'a Standard User' } as const;

export function invitationRoutes(router: Router, deps: InvitationPageDeps): void {
  const { services, secureCookies } = deps;
  const csrf = requireCsrf(deps.baseUrl);

  router.get('/invitations/:token', handle(async (req, res) => {
    const view = await services.invitationLinks.view(tokenParam(req));
    if (view.state !== 'live') return sendDeadLink(res, 'invitation', view.state);
    const token = csrfToken(req, res, secureCookies);
    const intro = html`<p>You are invited to join <strong>${view.orgName}</strong> as ${ROLE_NAMES[view.role]}, with <code>${view.email}</code>.</p>`;
    if (view.ssoRequired) {
      // S7, S5: the organization's IdP signs the person in; the pending invitation lets them join.
      sendPage(res, 200, 'Accept your invitation', html`${intro}<p>${view.orgName} requires single sign-on for your address: accept by signing in through it.</p>
        <form method="post" action="/login">${csrfField(token)}<input type="hidden" name="email" value="${view.email}">
        <button type="submit">Continue with single sign-on</button></form>`);
      return;
    }
    const password = view.passwordNeeded
      ? html`<label for="password">Choose a password (at least 12 characters)</label>
        <input id="password" name="password" type="password" autocomplete="new-password" required minlength="12">
        <p><small>You sign in with it; at your first sign-in you also set up a 6-digit code from an authenticator app.</small></p>`
      : html`<p><small>You already have a password: sign in with it after joining.</small></p>`;
    sendPage(res, 200, 'Accept your invitation', html`${intro}<form method="post">${csrfField(token)}
      <label for="displayName">Your name</label><input id="displayName" name="displayName" autocomplete="name">
      ${password}<button type="submit">Join</button></form>`);
  }));

  router.post('/invitations/:token', csrf, handle(async (req, res) => {
    const password = field(req, 'password');
    const displayName = field(req, 'displayName').trim();
    await services.invitations.accept(tokenParam(req), {
      ...(password !== '' && { password }), ...(displayName !== '' && { displayName }),
    });
    sendPage(res, 200, 'Welcome', html`<p>You joined the organization. Sign in now; the first time, you also set up two-factor authentication.</p><p><a href="/login">Sign in</a></p>`);
  }));
}
