/**
 * What the pages behind mailed links share: the page for a link that no longer works (shown at
 * once, with the next step), the "sign in first" page that comes back afterwards, the page for a
 * refusal, and the signed-in user as an actor.
 */
import type { Request, Response } from 'express';
import { DomainError, isDomainError } from '../../errors.js';
import { adviseDeadLink, type LinkState, type MailedLink } from '../../rules/mailed-links.js';
import type { Actor } from '../../types.js';
import { csrfToken } from './csrf.js';
import { csrfField, html, sendPage, type Raw } from './html.js';
import { knownErrorPage } from './pages.js';
import { RETURN_COOKIE, signInThenReturn } from './return-path.js';
import { setCookie } from './cookies.js';

/** The link's token from the path. */
export const tokenParam = (req: Request): string => String(req.params.token ?? '');

/** The signed-in user as the actor of a service call, or undefined. */
export function signedInActor(req: Request): Actor | undefined {
  return req.signedIn ? { kind: 'user', userSid: req.signedIn.userSid, requestId: req.id } : undefined;
}

/** A link that no longer works: what happened and what to do next, never the form (410; 404 when unknown). */
export function sendDeadLink(res: Response, kind: MailedLink, state: Exclude<LinkState, 'live'>): void {
  const advice = adviseDeadLink(kind, state);
  const next = advice.nextPath ? html`<p><a href="${advice.nextPath}">${advice.nextLabel}</a></p>` : '';
  sendPage(res, state === 'unknown' ? 404 : 410, advice.title, html`<div class="error"><p>${advice.message}</p></div>${next}`);
}

/** A page that needs a signed-in user: says what the link is about and signs in, then comes back. */
export function sendSignInFirst(res: Response, path: string, title: string, intro: Raw): void {
  sendPage(res, 200, title, html`${intro}<p><a href="${signInThenReturn(path)}">Sign in to continue</a></p>
    <p><small>No password yet, or forgot it? <a href="/password-reset">Set one by email</a>, then open this link again.</small></p>`);
}

/** Signed in as someone else: sign out, then sign in as the right person and come back here. */
export function sendWrongUser(req: Request, res: Response, secure: boolean, path: string, title: string, message: string): void {
  setCookie(res, RETURN_COOKIE, path, { secure, maxAgeMs: 15 * 60 * 1000 });
  sendPage(res, 403, title, html`<div class="error"><p>${message}</p></div>
    <p>You are signed in as <code>${req.signedIn?.email ?? ''}</code>.</p>
    <form method="post" action="/logout">${csrfField(csrfToken(req, res, secure))}<button type="submit">Sign out, then sign in as someone else</button></form>`);
}

/**
 * A refusal of a known kind (a DomainError) as a page of this flow, with the request id and an
 * optional next step; anything else is rethrown for the page error handler.
 */
export function sendRefusal(req: Request, res: Response, title: string, error: unknown, next?: Raw): void {
  const page = isDomainError(error) ? knownErrorPage(error) : undefined;
  if (!page) throw error;
  sendPage(res, page.status, title, html`<div class="error"><p>${page.message}</p><p><small>Error <code>${page.code}</code> · request <code>${req.id}</code></small></p></div>${next ?? ''}`);
}

/** Runs `work`; a DomainError it throws becomes the flow's refusal page. */
export async function orRefusal(req: Request, res: Response, title: string, work: () => Promise<void>, next?: (error: DomainError) => Raw | undefined): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!isDomainError(error)) throw error;
    sendRefusal(req, res, title, error, next?.(error));
  }
}
