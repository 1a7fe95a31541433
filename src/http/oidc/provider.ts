/**
 * Orgward's one OAuth 2.0 authorization server: panva's oidc-provider. This issue uses its
 * client-credentials grant at POST /v1/token (Twilio's path); only that route is exposed until
 * the sign-in flows arrive. Tokens are JWTs for the Organizations API (access-tokens.ts).
 */
import { createPrivateKey, hkdfSync, webcrypto } from 'node:crypto';
import querystring from 'node:querystring';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import Provider, { errors } from 'oidc-provider';
import type { Clock } from '../../clock.js';
import type { Services } from '../../services/index.js';
import { hashToken } from '../../security/tokens.js';
import { accessTokenKey, ACCESS_TOKEN_TTL_SECONDS, apiAudience } from './access-tokens.js';
import { adapterFor } from './adapter.js';

export interface OidcDeps {
  readonly services: Services;
  readonly clock: Clock;
  readonly baseUrl: string;
  readonly secretKey: Buffer;
}

export const TOKEN_PATH = '/v1/token';

// An Ed25519 signing key derived from the secret key, so every instance has the same JWKS
// (oidc-provider needs one; the API's access tokens use the HS256 resource-server key).
function signingJwk(secretKey: Buffer): Record<string, unknown> {
  const seed = Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), 'orgward oidc signing key v1', 32));
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const jwk = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ format: 'jwk' });
  return { ...jwk, use: 'sig', alg: 'Ed25519', kid: 'orgward-1' };
}

/** The provider's request listener, configured for the client-credentials grant only. */
export function createOidcProvider(deps: OidcDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const audience = apiAudience(deps.baseUrl);
  // A WebCrypto key, imported once: jose signs with crypto.subtle, and given a KeyObject (or a
  // Buffer) it converts it to a CryptoKey for every token (~50 µs of CPU each, measured).
  const key = webcrypto.subtle.importKey('raw', accessTokenKey(deps.secretKey), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const cookieKey = Buffer.from(hkdfSync('sha256', deps.secretKey, Buffer.alloc(0), 'orgward oidc cookies v1', 32)).toString('base64url');
  const provider = new Provider(deps.baseUrl, {
    adapter: adapterFor(deps.services),
    jwks: { keys: [signingJwk(deps.secretKey)] },
    cookies: { keys: [cookieKey] },
    clientDefaults: { id_token_signed_response_alg: 'Ed25519' },
    routes: { token: TOKEN_PATH },
    scopes: [],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // Every client-credentials token is for the Organizations API, asked for or not.
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: async (_ctx: unknown, resource: string) => {
          if (resource !== audience) throw new errors.InvalidTarget(`the only resource is ${audience}`);
          return { scope: '', audience, accessTokenTTL: ACCESS_TOKEN_TTL_SECONDS, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'HS256', key: await key } } };
        },
      },
    },
    ttl: { ClientCredentials: ACCESS_TOKEN_TTL_SECONDS },
    clientBasedCORS: () => false,
    findAccount: () => undefined,
  }) as Provider & { use(mw: (ctx: KoaContext, next: () => Promise<void>) => Promise<void>): void };
  provider.proxy = true;
  // Twilio's SDK reads `message` and `code` of an error body; OAuth clients read `error` and
  // `error_description` (RFC 6749 §5.2). Token errors carry both.
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { error?: unknown; error_description?: unknown } | undefined;
    if (ctx.status >= 400 && body && typeof body.error === 'string') {
      ctx.body = { ...body, code: body.error, message: typeof body.error_description === 'string' ? body.error_description : body.error, status: ctx.status };
    }
  });
  return provider.callback();
}

interface KoaContext { status: number; body: unknown }

/**
 * POST /v1/token: form fields `client_id` + `client_secret`, or HTTP Basic (RFC 6749 §2.3.1).
 * The presented secret is replaced by its digest before the provider sees it (adapter.ts says why),
 * and Basic credentials become form fields, so both ways reach the one registered method.
 */
export function tokenRoute(deps: OidcDeps): Router {
  const handler = createOidcProvider(deps);
  const router = express.Router();
  // The form as text, parsed by node:querystring (flat fields are all a token request has; qs,
  // express.urlencoded's parser, costs more for nothing).
  router.post(TOKEN_PATH, express.text({ type: 'application/x-www-form-urlencoded', limit: '16kb' }), (req: Request, res: Response, next: NextFunction) => {
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
    try {
      handler(req, res);
    } catch (error) {
      next(error);
    }
  });
  return router;
}
