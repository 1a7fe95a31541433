/**
 * The provider's endpoints on the Express app. Token, introspection and revocation requests get
 * their client authentication normalised first: HTTP Basic (RFC 6749 §2.3.1) becomes form fields
 * and the presented secret is replaced by its digest (adapter.ts says why), so both
 * `client_secret_basic` and `client_secret_post` reach the one method each client is registered with.
 */
import querystring from 'node:querystring';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Services } from '../../services/index.js';
import { hashToken } from '../../security/tokens.js';
import { createOidcServer, INTERACTION_PATH, OIDC_ROUTES, type OidcDeps, type OidcServer } from './provider.js';

export { TOKEN_PATH } from './provider.js';

// One provider per process and Services: the token route (http/api) and the interaction pages
// (app.ts) are mounted separately but must share it.
const servers = new WeakMap<Services, OidcServer>();

/** The process's OIDC server for these services (created on first use). */
export function oidcServerFor(deps: OidcDeps): OidcServer {
  let server = servers.get(deps.services);
  if (!server) {
    server = createOidcServer(deps);
    servers.set(deps.services, server);
  }
  return server;
}

const CLIENT_AUTH_PATHS = [OIDC_ROUTES.token, OIDC_ROUTES.introspection, OIDC_ROUTES.revocation];

/** True for a path the provider answers (interaction pages are Orgward's own, interactions.ts). */
const isProviderPath = (path: string): boolean =>
  path === '/.well-known/openid-configuration' || path === OIDC_ROUTES.token
  || (path.startsWith('/oauth/') && !path.startsWith(`${INTERACTION_PATH}/`));

function normaliseClientAuth(req: Request): void {
  const body: Record<string, unknown> = typeof req.body === 'string' ? { ...querystring.parse(req.body) } : {};
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(req.get('authorization') ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0 && body.client_id === undefined && body.client_secret === undefined) {
      try {
        body.client_id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
        body.client_secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
      } catch {
        // Not form-encoded: the provider answers invalid_client for the unknown client.
        body.client_id = decoded.slice(0, colon);
        body.client_secret = decoded.slice(colon + 1);
      }
      delete req.headers.authorization;
    }
  }
  if (typeof body.client_secret === 'string') body.client_secret = hashToken(body.client_secret);
  // As the form string: the provider parses a string once, where an object would be serialised
  // and parsed again (oidc-provider's shared/selective_body.js).
  req.body = querystring.stringify(body as querystring.ParsedUrlQueryInput);
}

/** POST /v1/token and every other provider endpoint (discovery, authorize, userinfo, JWKS, …). */
export function tokenRoute(deps: OidcDeps): Router {
  const server = oidcServerFor(deps);
  const router = express.Router();
  const pass = (req: Request, res: Response, next: NextFunction) => {
    server.current().then(({ callback }) => callback(req, res), next);
  };
  // The form as text, parsed by node:querystring (flat fields are all these requests have; qs,
  // express.urlencoded's parser, costs more for nothing).
  router.post(CLIENT_AUTH_PATHS, express.text({ type: 'application/x-www-form-urlencoded', limit: '16kb' }), (req, res, next) => {
    normaliseClientAuth(req);
    pass(req, res, next);
  });
  router.use((req, res, next) => (isProviderPath(req.path) ? pass(req, res, next) : next()));
  return router;
}
