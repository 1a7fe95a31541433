/**
 * Browser sign-in (pages, with their own error pages) and GET /api/v1/me (JSON, through the
 * admin API error handler: 401 {"error":{"code":"unauthenticated",...}} without a valid session).
 */
import express, { type Request, type Router } from 'express';
import { DomainError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Services } from '../../services/index.js';
import { linkRoutes } from './links.js';
import { field, loginRoutes } from './login.js';
import { pageErrors } from './pages.js';
import { accountImportRoutes } from './account-imports.js';
import { invitationRoutes } from './invitations.js';
import { linkGuards } from './link-guards.js';
import { mergeRoutes } from './merges.js';
import { returnAfterSignIn } from './return-path.js';
import { signupRoutes } from './signup.js';
import { formRateLimits, rateLimitSettings, type RateLimitSettings } from '../rate-limit.js';
import { CHALLENGE_COOKIE, readCookie } from './cookies.js';
import type { Metrics } from '../../metrics/registry.js';

export interface AuthRouteDeps {
  readonly services: Services;
  readonly logger: Logger;
  readonly baseUrl: string;
  readonly secureCookies: boolean;
  readonly rateLimits?: Partial<RateLimitSettings>;
  readonly metrics?: Metrics | undefined;
}

/** Form pages: one body parser and the page error handler for all (mailed-link pages included). */
const PAGE_PATHS = ['/login', '/logout', '/password-reset', '/invitations', '/signup', '/merges', '/account-imports'];

export function authRoutes(deps: AuthRouteDeps): Router {
  const router = express.Router();
  router.use(PAGE_PATHS, express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 }));
  // Back to the link page that sent the browser to sign in (return-path.ts), before the sign-in page.
  router.get('/login', returnAfterSignIn(deps.secureCookies));
  const limits = formRateLimits(deps.services.deps.store, rateLimitSettings(deps.rateLimits));
  const email = (req: Request) => field(req, 'email') || undefined;
  const param = (name: string) => (req: Request) => (typeof req.params[name] === 'string' ? req.params[name] : undefined);
  router.post('/login', limits.route('login', email));
  router.post('/login/password', limits.route('login_password', email));
  router.post('/login/second-factor', limits.route('second_factor', (req) => readCookie(req, CHALLENGE_COOKIE)));
  router.post('/password-reset', limits.route('password_reset', email));
  router.post('/password-reset/:token', limits.route('password_reset_link', param('token')));
  router.post('/invitations/:token', limits.route('invitation', param('token')));
  router.post('/signup', limits.route('signup', email));
  loginRoutes(router, deps);
  linkGuards(router, deps.services);
  linkRoutes(router, deps);
  invitationRoutes(router, deps);
  signupRoutes(router, deps);
  mergeRoutes(router, deps);
  accountImportRoutes(router, deps);
  router.use(PAGE_PATHS, pageErrors(deps.logger));

  router.get('/api/v1/me', (req, res, next) => {
    const who = req.signedIn;
    if (!who) return next(new DomainError('unauthenticated', 'Sign in first: there is no valid session.'));
    res.set('Cache-Control', 'no-store').json({ sid: who.userSid, email: who.email, orgSid: who.orgSid, role: who.role, signInMethod: who.method });
  });
  return router;
}
