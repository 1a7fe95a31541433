/**
 * The Admin Center at /admin (issue 11): server-rendered pages over the same services and rules
 * as the Organizations API. Every page reads and every form posts without JavaScript; the one
 * script (/admin/assets/admin.js) only enhances. Each request: the session (else a redirect to
 * sign in that comes back), the CSRF token on every POST, the role check of the route (O3), then
 * the handler, whose services check again.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { DomainError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { decideAction } from '../../rules/roles.js';
import type { Services } from '../../services/index.js';
import type { SignedIn } from '../../services/sessions.js';
import { csrfToken, requireCsrf } from '../auth/csrf.js';
import { errorPageOf } from '../auth/pages.js';
import { safeReturnPath, signInThenReturn } from '../auth/return-path.js';
import { handle } from '../handle.js';
import { navFor, ROLE_LABELS } from './nav.js';
import { noticeText } from './notices.js';
import { signedInSnapshot, type AdminRoute, type PageContext } from './page.js';
import { accountPages } from './pages/accounts.js';
import { auditPages } from './pages/audit.js';
import { domainPages } from './pages/domains.js';
import { homePages } from './pages/home.js';
import { invitationPages } from './pages/invitations.js';
import { rolePages } from './pages/roles.js';
import { scimPages } from './pages/scim.js';
import { ssoPages } from './pages/sso.js';
import { mergePages } from './pages/merge.js';
import { importPages } from './pages/imports.js';
import { apiClientPages } from './pages/api-clients.js';
import { webhookPages } from './pages/webhooks.js';
import { setupLinkPages } from './pages/setup-links.js';
import { userPages } from './pages/users.js';
import { adminHeaders, ASSETS_DIR, sendView, type LayoutData } from './render.js';

export interface AdminDeps {
  readonly services: Services;
  readonly logger: Logger;
  readonly baseUrl: string;
  readonly secureCookies: boolean;
}

/** Every Admin Center route, in mount order (more specific paths first). */
export function adminRouteTable(): AdminRoute[] {
  return [...homePages(), ...importPages(), ...userPages(), ...invitationPages(), ...accountPages(), ...domainPages(), ...rolePages(), ...ssoPages(), ...scimPages(), ...apiClientPages(), ...webhookPages(), ...setupLinkPages(), ...mergePages(), ...auditPages()];
}

/** The layout of a page for whoever is signed in (or nobody). */
function layoutFor(req: Request, title: string, csrf: string): LayoutData {
  const who = req.signedIn;
  return {
    title, csrf, notice: noticeText(req.query.notice),
    nav: who ? navFor(who.role, req.path) : [],
    who: who ? { email: who.email, roleLabel: who.role ? ROLE_LABELS[who.role] : 'No organization', orgName: null } : null,
  };
}

/** O3: may the signed-in user open this route? Asked of the same rule the services ask. */
function checkRole(who: SignedIn, route: AdminRoute): void {
  if (route.action === 'self') return;
  const decision = decideAction(signedInSnapshot(who), route.action);
  if (decision.kind === 'reject') throw new DomainError('forbidden', decision.message);
}

export function adminRoutes(deps: AdminDeps): Router {
  const { services, secureCookies } = deps;
  const router = express.Router();
  // Scripts and the style sheet, as files (CSP script-src 'self'); never a directory listing.
  router.use('/admin/assets', express.static(ASSETS_DIR, {
    index: false, fallthrough: false, maxAge: '1h',
    setHeaders: (res) => { res.set('X-Content-Type-Options', 'nosniff'); },
  }));
  // A bulk import CSV may be large (the service bounds it); every other form is small.
  router.use('/admin/users/import', express.urlencoded({ extended: false, limit: '20mb', parameterLimit: 10 }));
  router.use('/admin', express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 50 }));
  const csrf = requireCsrf(deps.baseUrl);
  const checkCsrf = (req: Request, res: Response) => new Promise<void>((resolve, reject) => csrf(req, res, (e?: unknown) => (e ? reject(e) : resolve())));

  const backs = new WeakMap<Request, string>();
  for (const route of adminRouteTable()) {
    const path = route.path === '/' ? '/admin' : `/admin${route.path}`;
    router[route.method](path, handle(async (req, res) => {
      if (route.back) backs.set(req, route.back(req));
      const who = req.signedIn;
      if (!who) {
        // Sign in first, then come back here (a GET page; a form is shown again from its page).
        res.redirect(303, signInThenReturn(safeReturnPath(req.path) ?? '/admin'));
        return;
      }
      if (route.method === 'post') await checkCsrf(req, res);
      checkRole(who, route);
      const token = csrfToken(req, res, secureCookies);
      const c: PageContext = {
        req, res, services, baseUrl: deps.baseUrl, who, orgSid: who.orgSid, role: who.role, csrf: token,
        actor: { kind: 'user', userSid: who.userSid, requestId: req.id },
      };
      const result = await route.handler(c);
      if ('sent' in result) return;
      if ('redirect' in result) {
        adminHeaders(res).redirect(303, result.redirect);
        return;
      }
      sendView(res, result.status ?? 200, result.view, layoutFor(req, result.title, token), result.data ?? {});
    }));
  }
  router.use('/admin', (_req, _res, next) => next(new DomainError('not_found', 'There is no such page in the Admin Center.')));
  router.use('/admin', adminErrors(deps, (req) => backs.get(req)));
  return router;
}

/** Errors as a page with the API's code, its message (which says how to fix it) and the request id. */
function adminErrors(deps: AdminDeps, backOf: (req: Request) => string | undefined) {
  return (error: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(error);
    const page = errorPageOf(error, deps.logger, req.id);
    const token = csrfToken(req, res, deps.secureCookies);
    const title = page.status === 403 ? 'Not allowed' : page.status === 404 ? 'Not found' : 'That did not work';
    sendView(res, page.status, 'error', layoutFor(req, title, token), { ...page, requestId: req.id, back: backOf(req) ?? null });
  };
}
