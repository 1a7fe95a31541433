/**
 * SSO routes, per connection: SAML ACS and SP metadata, OIDC callback and client metadata, and
 * the test sign-in link (S1). Every failure goes through ssoErrors (errors.ts).
 */
import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from '../../logger.js';
import type { Services } from '../../services/index.js';
import type { SsoOutcome } from '../../services/sso-complete.js';
import { readCookie, SAML_BROWSER_COOKIE, SSO_BROWSER_COOKIE } from '../auth/cookies.js';
import { html, sendPage } from '../auth/html.js';
import { startSession } from '../auth/session.js';
import { handle } from '../handle.js';
import { beginSso } from './begin.js';
import { ssoErrors } from './errors.js';
import { completeOidc, oidcClientMetadata } from './oidc.js';
import { consumeSamlResponse, samlMetadata } from './saml.js';
import { MAX_SAML_BYTES } from './saml-guard.js';
import type { Metrics } from '../../metrics/registry.js';
import { outcomeOf, signInStep } from '../sign-in-events.js';

export interface SsoRouteDeps {
  readonly services: Services;
  readonly logger: Logger;
  readonly secureCookies: boolean;
  readonly metrics?: Metrics | undefined;
}

const param = (req: Request, name: string): string => String(req.params[name] ?? '');

export function ssoRoutes(deps: SsoRouteDeps): Router {
  const { services, secureCookies } = deps;
  const router = express.Router();

  /**
   * Runs an IdP response through `complete`, logging and counting the sign-in (sign-in-events.ts)
   * and a refusal by its reason code (orgward_sso_rejections_total); library errors count as
   * sso_response_invalid, the code the browser is shown (errors.ts).
   */
  const completed = async (req: Request, protocol: 'saml' | 'oidc', complete: () => Promise<SsoOutcome>): Promise<SsoOutcome> => {
    try {
      return await signInStep(
        { logger: deps.logger, metrics: deps.metrics }, protocol, { connectionId: param(req, 'connectionId'), clientAddress: req.ip ?? 'unknown' },
        complete, (o) => ({ purpose: o.kind === 'tested' ? 'test' : 'sign_in', userSid: o.kind === 'tested' ? undefined : o.userSid }), 'sso_response_invalid',
      );
    } catch (error) {
      deps.metrics?.ssoRejection(protocol, outcomeOf(error, 'sso_response_invalid'));
      throw error;
    }
  };

  const finish = (res: Response, outcome: SsoOutcome): void => {
    if (outcome.kind === 'tested') {
      sendPage(res, 200, 'Test sign-in succeeded', html`<p>The connection signed in <code>${outcome.email}</code> and passed every check.</p>
        <p>Single sign-on can now be enforced on the organization's verified domains.</p>
        <p>The attributes received are on the page you started the test from (the connection's page in the Admin Center, or your setup link).</p>
        ${outcome.ownerLinked ? html`<p>This single sign-on identity is now linked to you, the Owner: you can sign in with it.</p>` : ''}`);
      return;
    }
    startSession(res, outcome.session, secureCookies, services.deps.clock.now());
    res.redirect(303, '/login');
  };

  router.get('/sso/test/:ticket', handle(async (req, res) => {
    // S6: the Owner's own password + second-factor session makes the test link the identity to them.
    const ticket = await services.sso.redeemTestTicket(param(req, 'ticket'), req.signedIn ?? null);
    res.set('Referrer-Policy', 'no-referrer').redirect(303, await beginSso(services, req, res, { ...ticket, purpose: 'test', secureCookies }));
  }));

  // The IdP posts cross-site: no CSRF token (the signature, InResponseTo bound to this browser's
  // login cookie, and the replay cache stand in).
  router.post('/sso/saml/:connectionId/acs', express.urlencoded({ extended: false, limit: MAX_SAML_BYTES, parameterLimit: 10 }), handle(async (req, res) => {
    finish(res, await completed(req, 'saml', () => consumeSamlResponse(services, param(req, 'connectionId'), req.body ?? {}, readCookie(req, SAML_BROWSER_COOKIE), req.id)));
  }));

  router.get('/sso/saml/:connectionId/metadata', handle(async (req, res) => {
    res.type('application/samlmetadata+xml').send(await samlMetadata(services, param(req, 'connectionId')));
  }));

  router.get('/sso/oidc/:connectionId/callback', handle(async (req, res) => {
    finish(res, await completed(req, 'oidc', () => completeOidc(services, param(req, 'connectionId'), req.query as Record<string, unknown>, readCookie(req, SSO_BROWSER_COOKIE), req.id)));
  }));

  router.get('/sso/oidc/:connectionId/metadata', handle(async (req, res) => {
    res.json(await oidcClientMetadata(services, param(req, 'connectionId')));
  }));

  router.use('/sso', ssoErrors(deps.logger));
  return router;
}
