/**
 * The pages behind a setup link, at /setup/{token} (issue 11): the customer's IT admin, without an
 * Orgward account or session, is walked through their link's one kind of set-up (sso.ts, scim.ts,
 * domain.ts). Every request opens the link again (an expired, revoked or unknown link gets a page
 * that says so, never a form), every form carries the CSRF token, and each step is a call of the
 * service the Admin Center calls, as the link's actor (services/setup-link-steps.ts). Pages are
 * rendered like the Admin Center's (same templates, CSP without inline code, no JavaScript needed)
 * and sent with Referrer-Policy: no-referrer, since their URL holds the link's secret.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { DomainError } from '../../../errors.js';
import type { Logger } from '../../../logger.js';
import { deadSetupLinkMessage } from '../../../rules/setup-links.js';
import type { Services } from '../../../services/index.js';
import type { OpenedLink } from '../../../services/setup-links.js';
import { csrfToken, requireCsrf } from '../../auth/csrf.js';
import { errorPageOf } from '../../auth/pages.js';
import { handle } from '../../handle.js';
import { noticeText, withNotice } from '../notices.js';
import { formField, type PageResult } from '../page.js';
import { sendView, type LayoutData } from '../render.js';
import { domainOverview, domainSetupRoutes } from './domain.js';
import { scimOverview, scimSetupRoutes } from './scim.js';
import { ssoOverview, ssoSetupRoutes } from './sso.js';

export interface SetupDeps {
  readonly services: Services;
  readonly logger: Logger;
  readonly baseUrl: string;
  readonly secureCookies: boolean;
}

/** What a setup page's handler sees: the opened link, its page's path, the form token. */
export interface SetupContext {
  readonly req: Request;
  readonly res: Response;
  readonly services: Services;
  readonly baseUrl: string;
  readonly opened: OpenedLink;
  /** `/setup/<token>`: the link's own page, where every form goes back to. */
  readonly page: string;
  readonly csrf: string;
}

/** One route of a link's pages: method, path under /setup/:token, the kind of link it serves. */
export interface SetupRoute {
  readonly method: 'get' | 'post';
  readonly path: string;
  readonly kind: 'sso' | 'scim' | 'domain' | 'any';
  readonly handler: (s: SetupContext) => Promise<PageResult>;
}

const BRAND = { label: 'Orgward setup', href: null };
/** The link's secret from the path (error handlers see no route parameters: read from the URL). */
const tokenOf = (req: Request): string => String(req.params.token ?? /^\/setup\/([^/?#]{1,100})/.exec(req.originalUrl)?.[1] ?? '');

function layoutFor(req: Request, title: string, csrf: string): LayoutData {
  return { title, csrf, notice: noticeText(req.query.notice), nav: [], who: null, home: BRAND };
}

export function setupRoutes(deps: SetupDeps): Router {
  const { services } = deps;
  const router = express.Router();
  // The largest form is IdP metadata (idp-metadata.ts bounds it at 256 KiB).
  router.use('/setup', express.urlencoded({ extended: false, limit: '300kb', parameterLimit: 20 }));
  const csrf = requireCsrf(deps.baseUrl);
  const checkCsrf = (req: Request, res: Response) => new Promise<void>((resolve, reject) => csrf(req, res, (e?: unknown) => (e ? reject(e) : resolve())));
  const overview = { sso: ssoOverview, scim: scimOverview, domain: domainOverview } as const;
  const routes: SetupRoute[] = [
    { method: 'get', path: '', kind: 'any', handler: (s) => overview[s.opened.link.kind](s) },
    {
      // Step 1 of SSO and SCIM links (a domain link has no IdP: the rule refuses it).
      method: 'post', path: '/idp', kind: 'any',
      handler: async (s) => {
        await s.services.setupLinks.chooseIdp(s.opened, formField(s.req, 'idp'));
        return { redirect: `${withNotice(s.page, 'setup_idp_chosen')}#step-2` };
      },
    },
    ...ssoSetupRoutes(), ...scimSetupRoutes(), ...domainSetupRoutes(),
  ];

  for (const route of routes) {
    router[route.method](`/setup/:token${route.path}`, handle(async (req, res) => {
      if (route.method === 'post') await checkCsrf(req, res);
      const token = tokenOf(req);
      const opened = await services.setupLinks.open(token, req.id);
      const form = csrfToken(req, res, deps.secureCookies);
      if (opened.state !== 'live') {
        const status = opened.state === 'unknown' ? 404 : 410;
        sendView(res, status, 'setup-dead', layoutFor(req, 'This setup link does not work', form), { message: deadSetupLinkMessage(opened.state) }, 'no-referrer');
        return;
      }
      // A link of another kind has no such page (an SSO link has no SCIM token form).
      if (route.kind !== 'any' && route.kind !== opened.opened.link.kind) throw new DomainError('not_found', 'This setup link has no such page.');
      const page = `/setup/${token}`;
      const result = await route.handler({ req, res, services, baseUrl: deps.baseUrl, opened: opened.opened, page, csrf: form });
      if ('sent' in result) return;
      if ('redirect' in result) {
        res.set('Referrer-Policy', 'no-referrer').set('Cache-Control', 'no-store').redirect(303, result.redirect);
        return;
      }
      sendView(res, result.status ?? 200, result.view, layoutFor(req, result.title, form), { ...result.data, page }, 'no-referrer');
    }));
  }
  router.use('/setup', (_req, _res, next) => next(new DomainError('not_found', 'There is no such setup page.')));
  router.use('/setup', setupErrors(deps));
  return router;
}

/** A refusal as a page with its code and the request id, and the way back to the link's page. */
function setupErrors(deps: SetupDeps) {
  return (error: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(error);
    const page = errorPageOf(error, deps.logger, req.id);
    const form = csrfToken(req, res, deps.secureCookies);
    const token = tokenOf(req);
    // Back to the link's page (a path of ours; the template escapes it).
    const back = /^sl_[A-Za-z0-9_-]{43}$/.test(token) ? `/setup/${token}` : null;
    sendView(res, page.status, 'error', layoutFor(req, 'That did not work', form), { ...page, requestId: req.id, back }, 'no-referrer');
  };
}
