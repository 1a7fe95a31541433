/**
 * Browser sign-in (pages, with their own error pages) and GET /api/v1/me (JSON, through the
 * admin API error handler: 401 {"error":{"code":"unauthenticated",...}} without a valid session).
 */
import express, { type Router } from 'express';
import { DomainError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Services } from '../../services/index.js';
import { linkRoutes } from './links.js';
import { loginRoutes } from './login.js';
import { pageErrors } from './pages.js';
import { accountImportRoutes } from './account-imports.js';
import { invitationRoutes } from './invitations.js';
import { linkGuards } from './link-guards.js';
import { mergeRoutes } from './merges.js';
import { returnAfterSignIn } from './return-path.js';
import { signupRoutes } from './signup.js';

export interface AuthRouteDeps {
  readonly services: Services;
  readonly logger: Logger;
  readonly baseUrl: string;
  readonly secureCookies: boolean;
}

const PAGE_PATHS = ['/login', '/logout', '/password-reset', '/invitations'];
// The pages behind mailed links (merges, account imports, sign-up): same body parser and error pages.
PAGE_PATHS.push('/signup', '/merges', '/account-imports');

export function authRoutes(deps: AuthRouteDeps): Router {
  const router = express.Router();
  router.use(PAGE_PATHS, express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 }));
  // Back to the link page that sent the browser to sign in (return-path.ts), before the sign-in page.
  router.get('/login', returnAfterSignIn(deps.secureCookies));
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
