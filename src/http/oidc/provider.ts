/**
 * Orgward's one OAuth 2.0 / OpenID Connect server: panva's oidc-provider. It serves the
 * Organizations API's client-credentials grant at POST /v1/token (Twilio's path; tokens are JWTs
 * for the API, access-tokens.ts) and the product's apps (issue 13): authorization code with PKCE,
 * refresh tokens with rotation and reuse detection, discovery, JWKS, userinfo, introspection,
 * revocation, RP-initiated and back-channel logout. Sign-in is Orgward's own (interactions.ts):
 * there are no development interactions in any mode.
 *
 * The signing keys live in the database (services/oidc-keys.ts). oidc-provider takes its keys at
 * construction, so each process builds a provider for the current key set and builds another when
 * the set changes (checked every KEY_CHECK_MS): every instance publishes and signs with the same keys.
 */
import { hkdfSync, webcrypto } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, Response } from 'express';
import type Provider from 'oidc-provider';
import type { Clock } from '../../clock.js';
import type { Services } from '../../services/index.js';
import { ID_TOKEN_TTL_SECONDS, type SigningKeys } from '../../services/oidc-keys.js';
import { isAppClientId } from '../../services/oidc-apps.js';
import { readCookie, secureFor, SESSION_COOKIE } from '../auth/cookies.js';
import { endSession } from '../auth/session.js';
import { accessTokenKey, ACCESS_TOKEN_TTL_SECONDS, apiAudience } from './access-tokens.js';
import { adapterFor } from './adapter.js';

export interface OidcDeps {
  readonly services: Services;
  readonly clock: Clock;
  readonly baseUrl: string;
  readonly secretKey: Buffer;
}

export const TOKEN_PATH = '/v1/token';
/** Where the provider sends the browser to sign in; interactions.ts answers there. */
export const INTERACTION_PATH = '/oauth/interaction';
/** The provider's own endpoints besides the token endpoint and discovery. */
export const OIDC_ROUTES = {
  authorization: '/oauth/authorize',
  token: TOKEN_PATH,
  userinfo: '/oauth/userinfo',
  jwks: '/oauth/jwks',
  introspection: '/oauth/introspect',
  revocation: '/oauth/revoke',
  end_session: '/oauth/logout',
} as const;

/** How often a process looks for a rotated key set. */
const KEY_CHECK_MS = 5_000;
/** App access tokens (opaque, for userinfo): short, so a lost one is soon useless. */
const APP_ACCESS_TOKEN_TTL_SECONDS = 600;
const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

interface KoaContext {
  status: number;
  body: unknown;
  req: IncomingMessage;
  res: ServerResponse;
  oidc: { session?: { accountId?: string }; client?: { clientId: string } };
}

type AccountToken = { amr?: string[]; grantId?: string; accountId?: string; clientId?: string } | undefined;

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The provider and its request listener, for one key set. */
export interface BuiltProvider {
  readonly provider: Provider;
  readonly callback: (req: IncomingMessage, res: ServerResponse) => void;
}

/** oidc-provider's exports; the package is imported when the first provider is built. */
type OidcProviderModule = typeof import('oidc-provider');

function buildProvider(deps: OidcDeps, keys: SigningKeys, oidc: OidcProviderModule): BuiltProvider {
  const { services } = deps;
  const { default: ProviderClass, errors, interactionPolicy } = oidc;
  const audience = apiAudience(deps.baseUrl);
  // A WebCrypto key, imported once: jose signs with crypto.subtle, and given a KeyObject (or a
  // Buffer) it converts it to a CryptoKey for every token (~50 µs of CPU each, measured).
  const key = webcrypto.subtle.importKey('raw', accessTokenKey(deps.secretKey), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const cookieKey = Buffer.from(hkdfSync('sha256', deps.secretKey, Buffer.alloc(0), 'orgward oidc cookies v1', 32)).toString('base64url');
  const isApiClient = (client: { clientId: string } | undefined) => client !== undefined && !isAppClientId(client.clientId);

  // Login is required whenever the browser has no valid Orgward session of the provider session's
  // person: the provider never signs anyone in on its own, so a revoked session (suspension, S7
  // enforcement, sign-out) cannot be replayed through the provider's cookie (prompt=none included).
  const policy = interactionPolicy.base();
  policy.get('login')!.checks.add(new interactionPolicy.Check('orgward_session', 'Sign in to Orgward is required', async (ctx: KoaContext) => {
    const accountId = ctx.oidc.session?.accountId;
    if (!accountId) return interactionPolicy.Check.REQUEST_PROMPT;
    const signedIn = await services.sessions.resolve(readCookie(ctx.req as Request, SESSION_COOKIE));
    return signedIn?.userSid === accountId ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT;
  }));

  const provider = new ProviderClass(deps.baseUrl, {
    adapter: adapterFor(services, errors),
    jwks: { keys: keys.keys },
    cookies: { keys: [cookieKey] },
    clientDefaults: { id_token_signed_response_alg: 'RS256' },
    routes: OIDC_ROUTES,
    scopes: ['openid', 'offline_access'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], organization: ['org', 'org_role', 'accounts', 'amr'] },
    // The scope's claims go in the ID token too (issue 13), not only to userinfo.
    conformIdTokenClaims: false,
    clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post'],
    // The browser sees the OAuth error code and description (escaped), never a stack.
    renderError: async (ctx: KoaContext & { type: string }, out: { error?: string; error_description?: string }) => {
      ctx.type = 'html';
      ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in error · Orgward</title></head><body><h1>Sign-in error</h1>`
        + `<p><code>${escapeHtml(out.error ?? 'error')}</code>: ${escapeHtml(out.error_description ?? '')}</p><p>Go back to the app and try again.</p></body></html>`;
    },
    pkce: { required: (_ctx: unknown, client: { clientAuthMethod: string }) => client.clientAuthMethod === 'none' },
    interactions: { policy, url: (_ctx: unknown, interaction: { uid: string }) => `${INTERACTION_PATH}/${interaction.uid}` },
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(t: string): boolean }, code: { scopes: Set<string> }) =>
      client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // Only the app a token was issued to learns about it, and only while its person may hold tokens.
        allowedPolicy: async (_ctx: unknown, client: { clientId: string }, token: AccountToken) => {
          if (token?.clientId !== client.clientId) return false;
          return token.accountId === undefined || services.oidcClaims.inGoodStanding(token.accountId);
        },
      },
      // An app revokes only its own tokens.
      revocation: { enabled: true, allowedPolicy: async (_ctx: unknown, client: { clientId: string }, token: AccountToken) => token?.clientId === client.clientId },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      backchannelLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // Client-credentials tokens are for the Organizations API, asked for or not; apps' access
        // tokens are for userinfo only (an app never gets an API token).
        defaultResource: (ctx: KoaContext) => (isApiClient(ctx.oidc.client) ? audience : undefined),
        useGrantedResource: (ctx: KoaContext) => isApiClient(ctx.oidc.client),
        getResourceServerInfo: async (ctx: KoaContext, resource: string) => {
          if (resource !== audience || !isApiClient(ctx.oidc.client)) throw new errors.InvalidTarget(`the only resource is ${audience}, for API clients`);
          return { scope: '', audience, accessTokenTTL: ACCESS_TOKEN_TTL_SECONDS, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'HS256', key: await key } } };
        },
      },
    },
    ttl: {
      ClientCredentials: ACCESS_TOKEN_TTL_SECONDS,
      AccessToken: APP_ACCESS_TOKEN_TTL_SECONDS,
      AuthorizationCode: 60,
      IdToken: ID_TOKEN_TTL_SECONDS,
      RefreshToken: REFRESH_TOKEN_TTL_SECONDS,
      Grant: REFRESH_TOKEN_TTL_SECONDS,
      Interaction: 15 * 60,
      Session: 12 * 3600,
    },
    // A browser app (public, PKCE) may call the token endpoints from its own origins only.
    clientBasedCORS: (_ctx: unknown, origin: string, client: { clientId: string; redirectUris?: string[] }) =>
      isAppClientId(client.clientId) && (client.redirectUris ?? []).some((uri) => new URL(uri).origin === origin),
    // Claims are computed at each issuance from the database, so they follow every change; a
    // suspended or removed person has no account here (refresh and userinfo then fail).
    findAccount: async (_ctx: unknown, sub: string, token: AccountToken) => {
      if (!(await services.oidcClaims.inGoodStanding(sub))) return undefined;
      return {
        accountId: sub,
        claims: async () => {
          const claims = await services.oidcClaims.claimsOf(sub);
          if (!claims) return { sub };
          const amr = token?.amr ?? (token?.grantId ? await services.oauthState.amrOfGrant(token.grantId) : undefined);
          return { ...claims, ...(amr && { amr }) };
        },
      };
    },
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
  // RP-initiated logout, when the person chooses to sign out (logout=yes), ends their Orgward
  // session too: else the next authorization request would sign them straight back in.
  provider.use(async (ctx, next) => {
    await next();
    const oidc = ctx.oidc as { route?: string; params?: { logout?: unknown } } | undefined;
    if (oidc?.route !== 'end_session_confirm' || ctx.status !== 303 || !oidc.params?.logout) return;
    const req = ctx.req as Request;
    await services.sessions.signOut(readCookie(req, SESSION_COOKIE));
    endSession(ctx.res as unknown as Response, secureFor(req));
  });
  provider.on('server_error', (_ctx: unknown, error: unknown) => services.deps.logger.error('oidc provider error', { error }));
  return { provider, callback: provider.callback() };
}

/** The process's provider, rebuilt when the key set changes. */
export interface OidcServer {
  current(): Promise<BuiltProvider>;
}

export function createOidcServer(deps: OidcDeps): OidcServer {
  let built: (BuiltProvider & { fingerprint: string; checkedAt: number }) | undefined;
  let pending: Promise<BuiltProvider> | undefined;
  return {
    async current() {
      const now = deps.clock.now().getTime();
      if (built && now - built.checkedAt < KEY_CHECK_MS) return built;
      pending ??= (async () => {
        const keys = await deps.services.oidcKeys.published();
        if (built?.fingerprint === keys.fingerprint) built.checkedAt = now;
        // Imported here, not at start-up: the package and its dependencies (koa, jose, …) are
        // ~6 MB of live heap that a process serving only SCIM or the API never needs (src/gc-tuning.ts).
        else built = { ...buildProvider(deps, keys, await import('oidc-provider')), fingerprint: keys.fingerprint, checkedAt: now };
        return built;
      })().finally(() => { pending = undefined; });
      return pending;
    },
  };
}
