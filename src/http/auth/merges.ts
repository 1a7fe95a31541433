/**
 * The merge invitation page (M1-M3) behind the link mailed to the Candidate's Owner: a used or
 * expired link says so at once; otherwise the invitee signs in (and comes back), sees what the
 * merge would do (accounts that move, who changes role, the account limit, the SSO that will
 * apply) and accepts or declines. The merge service decides; this page asks and shows.
 */
import type { Request, Response, Router } from 'express';
import type { MergePreview } from '../../services/merges.js';
import type { Services } from '../../services/index.js';
import { csrfToken, requireCsrf } from './csrf.js';
import { csrfField, html, sendPage, type Raw } from './html.js';
import { orRefusal, sendDeadLink, sendSignInFirst, sendWrongUser, signedInActor, tokenParam } from './link-pages.js';
import { handle } from '../handle.js';
import { signInThenReturn } from './return-path.js';

export interface MergePageDeps {
  readonly services: Services;
  readonly baseUrl: string;
  readonly secureCookies: boolean;
}

const ROLE_NAMES: Readonly<Record<string, string>> = { owner: 'Owner', admin: 'Administrator', standard: 'Standard User' };

/** O5/M3: the account limit as far as the preview tells it (fields added by the limit check, when present). */
function limitSection(preview: MergePreview): Raw {
  const moving = html`<p>${preview.accounts.length} account(s) would move into ${preview.primeName}.</p>`;
  const verdict = !preview.withinLimit
    ? html`<div class="error"><p>This would take ${preview.primeName} past its limit of ${preview.accountLimit} accounts, so the merge cannot be accepted until an operator raises the limit.</p></div>`
    : html`<p>${preview.primeName} may hold ${preview.accountLimit} accounts; the merge stays within that limit.</p>`;
  return html`${moving}${verdict}`;
}

/** What happens next when the merge is refused for the account limit (O5): an operator command. */
const limitNextStep = (primeOrgSid: string): Raw => html`<p>An operator of Orgward can raise the limit of the inviting organization:
  <code>orgward org set --org ${primeOrgSid} --account-limit N</code>. Then open this link again and accept.</p>`;

function previewBody(preview: MergePreview, csrf: string, path: string, isInvitee: boolean): Raw {
  const accounts = preview.accounts.length === 0 ? html`<p>No accounts.</p>`
    : html`<ul>${preview.accounts.map((a) => html`<li>${a.name} <code>${a.sid}</code> (${a.status})</li>`)}</ul>`;
  const roles = preview.roleChanges.length === 0 ? html`<p>Nobody changes role.</p>`
    : html`<ul>${preview.roleChanges.map((c) => html`<li><code>${c.email}</code>: ${ROLE_NAMES[c.from ?? ''] ?? 'member'} → ${ROLE_NAMES[c.to]}</li>`)}</ul>`;
  const sso = preview.ssoRequired.length === 0 ? html`<p>No single sign-on of ${preview.primeName} applies to the people who move.</p>`
    : html`<p>${preview.primeName} requires single sign-on for these people from the moment of the merge (their password sessions end):</p><ul>${preview.ssoRequired.map((e) => html`<li><code>${e}</code></li>`)}</ul>`;
  const refusal = preview.refusal ? html`<div class="error"><p>${preview.refusal.message}</p><p><small>Reason <code>${preview.refusal.reason}</code></small></p></div>` : '';
  const accept = preview.allowed && isInvitee
    ? html`<form method="post" action="${path}/accept">${csrfField(csrf)}<button type="submit">Accept the merge</button></form>` : '';
  const decline = preview.status === 'pending' && isInvitee
    ? html`<form method="post" action="${path}/decline">${csrfField(csrf)}<button type="submit">Decline</button></form>` : '';
  return html`<p><strong>${preview.primeName}</strong> invites <strong>${preview.candidateName ?? 'your organization'}</strong> to merge into it.
    If you accept, every account and user of ${preview.candidateName ?? 'your organization'} moves to ${preview.primeName}, and ${preview.candidateName ?? 'your organization'} ceases to exist. This cannot be undone.</p>
    ${refusal}
    <h2>Accounts that move</h2>${accounts}${limitSection(preview)}
    <h2>Who changes role</h2><p>Every user who moves (${preview.users.length}) becomes a Standard User of ${preview.primeName}, with access to the accounts they had; its administrators may promote them.</p>${roles}
    <h2>Single sign-on</h2>${sso}
    ${accept}${decline}`;
}

const sameEmail = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

export function mergeRoutes(router: Router, deps: MergePageDeps): void {
  const { services, secureCookies } = deps;
  const csrf = requireCsrf(deps.baseUrl);
  const pathOf = (req: Request): string => `/merges/${tokenParam(req)}`;

  /** The live link's preview for the signed-in user, or the page that says why not (sent: undefined). */
  async function livePreview(req: Request, res: Response): Promise<MergePreview | undefined> {
    const link = await services.mergeLinks.linkState(tokenParam(req));
    if (link.state !== 'live') {
      sendDeadLink(res, 'merge', link.state);
      return undefined;
    }
    const actor = signedInActor(req);
    if (!actor) {
      sendSignInFirst(res, pathOf(req), 'Merge invitation', html`<p><strong>${link.primeName}</strong> invites you to merge your organization into theirs.
        Sign in as the Owner the invitation was sent to: you come back here to see what the merge would do before you decide.</p>`);
      return undefined;
    }
    try {
      return await services.merges.preview(actor, tokenParam(req));
    } catch (error) {
      if ((error as { code?: string }).code !== 'not_found') throw error;
      sendWrongUser(req, res, secureCookies, pathOf(req), 'Merge invitation', 'This merge invitation was sent to someone else. Sign in as the person it was sent to.');
      return undefined;
    }
  }

  router.get('/merges/:token', handle(async (req, res) => {
    const preview = await livePreview(req, res);
    if (!preview) return;
    const isInvitee = sameEmail(req.signedIn!.email, preview.candidateOwnerEmail);
    sendPage(res, 200, 'Review the merge', previewBody(preview, csrfToken(req, res, secureCookies), pathOf(req), isInvitee));
  }));

  router.post('/merges/:token/accept', csrf, handle(async (req, res) => {
    const actor = signedInActor(req);
    if (!actor) return void res.redirect(303, signInThenReturn(pathOf(req)));
    const preview = await livePreview(req, res);
    if (!preview) return;
    await orRefusal(req, res, 'The merge was not completed', async () => {
      const done = await services.merges.accept(actor, tokenParam(req));
      sendPage(res, 200, 'Merge complete', html`<p>${preview.candidateName ?? 'Your organization'} is now part of <strong>${preview.primeName}</strong>:
        ${done.movedAccountSids.length} account(s) and ${done.movedUserSids.length} user(s) moved. You are now a Standard User of ${preview.primeName}.</p>
        ${preview.ssoRequired.length > 0 ? html`<p>Some of you now sign in through ${preview.primeName}'s single sign-on.</p>` : ''}
        <p><a href="/login">Continue</a></p>`);
    }, (error) => (error.code === 'account_limit_reached' ? limitNextStep(preview.primeOrgSid) : undefined));
  }));

  router.post('/merges/:token/decline', csrf, handle(async (req, res) => {
    const actor = signedInActor(req);
    if (!actor) return void res.redirect(303, signInThenReturn(pathOf(req)));
    const link = await services.mergeLinks.linkState(tokenParam(req));
    if (link.state !== 'live') return sendDeadLink(res, 'merge', link.state);
    await orRefusal(req, res, 'The merge invitation was not declined', async () => {
      await services.mergeLinks.decline(actor, tokenParam(req));
      sendPage(res, 200, 'Merge declined', html`<p>You declined to merge into ${link.primeName}. Nothing changed; the invitation link no longer works.</p><p><a href="/login">Continue</a></p>`);
    });
  }));
}
