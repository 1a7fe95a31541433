/**
 * The account-import confirmation page (A3) behind the link mailed to the account's owner: a
 * used or expired link says so at once; otherwise the owner signs in (and comes back), sees
 * which organization asks to manage which account, and confirms or declines.
 */
import type { Request, Response, Router } from 'express';
import type { Services } from '../../services/index.js';
import type { AccountImportLinkView } from '../../services/account-import-links.js';
import { csrfToken, requireCsrf } from './csrf.js';
import { csrfField, html, sendPage } from './html.js';
import { orRefusal, sendDeadLink, sendSignInFirst, sendWrongUser, signedInActor, tokenParam } from './link-pages.js';
import { handle } from '../handle.js';
import { signInThenReturn } from './return-path.js';

export interface AccountImportPageDeps {
  readonly services: Services;
  readonly baseUrl: string;
  readonly secureCookies: boolean;
}

type LiveView = Extract<AccountImportLinkView, { state: 'live' }>;

export function accountImportRoutes(router: Router, deps: AccountImportPageDeps): void {
  const { services, secureCookies } = deps;
  const csrf = requireCsrf(deps.baseUrl);
  const pathOf = (req: Request): string => `/account-imports/${tokenParam(req)}`;

  /** The live request for its signed-in owner, or the page that says why not (sent: undefined). */
  async function ownersView(req: Request, res: Response): Promise<LiveView | undefined> {
    const actor = signedInActor(req);
    const view = await services.accountImportLinks.view(tokenParam(req), actor);
    if (view.state !== 'live') {
      sendDeadLink(res, 'account_import', view.state);
      return undefined;
    }
    if (!actor) {
      sendSignInFirst(res, pathOf(req), 'Confirm an account import', html`<p><strong>${view.orgName}</strong> asks to manage your account
        <strong>${view.accountName}</strong>. Sign in as the account's owner to confirm or decline.</p>`);
      return undefined;
    }
    if (!view.viewerIsOwner) {
      sendWrongUser(req, res, secureCookies, pathOf(req), 'Confirm an account import', "Only the account's owner can answer this request. Sign in as the owner.");
      return undefined;
    }
    return view;
  }

  router.get('/account-imports/:token', handle(async (req, res) => {
    const view = await ownersView(req, res);
    if (!view) return;
    const token = csrfToken(req, res, secureCookies);
    sendPage(res, 200, 'Confirm an account import', html`<p><strong>${view.orgName}</strong> asks to bring your account
      <strong>${view.accountName}</strong> <code>${view.accountSid}</code> into the organization.</p>
      <p>If you confirm, the organization manages the account and its subaccounts: its administrators can suspend or close them.
      If you decline, the account stays as it was.</p>
      <form method="post" action="${pathOf(req)}/confirm">${csrfField(token)}<button type="submit">Confirm</button></form>
      <form method="post" action="${pathOf(req)}/decline">${csrfField(token)}<button type="submit">Decline</button></form>`);
  }));

  router.post('/account-imports/:token/confirm', csrf, handle(async (req, res) => {
    const actor = signedInActor(req);
    if (!actor) return void res.redirect(303, signInThenReturn(pathOf(req)));
    const view = await ownersView(req, res);
    if (!view) return;
    await orRefusal(req, res, 'The import was not confirmed', async () => {
      const account = await services.accounts.confirmImport(tokenParam(req), actor);
      sendPage(res, 200, 'Account import confirmed', html`<p>${view.orgName} now manages your account ${account.name} <code>${account.sid}</code>.</p><p><a href="/login">Continue</a></p>`);
    });
  }));

  router.post('/account-imports/:token/decline', csrf, handle(async (req, res) => {
    const actor = signedInActor(req);
    if (!actor) return void res.redirect(303, signInThenReturn(pathOf(req)));
    const view = await ownersView(req, res);
    if (!view) return;
    await orRefusal(req, res, 'The import was not declined', async () => {
      const account = await services.accountImportLinks.decline(actor, tokenParam(req));
      sendPage(res, 200, 'Account import declined', html`<p>Your account ${account.name} <code>${account.sid}</code> stays as it was: ${view.orgName} does not manage it.</p><p><a href="/login">Continue</a></p>`);
    });
  }));
}
