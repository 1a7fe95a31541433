/**
 * The OIDC RP with openid-client: authorization code flow with PKCE (S256), state and nonce;
 * the login transaction is single-use, bound to the browser (cookie) and to the connection (and
 * so the organization). The ID token's signature is verified against the issuer's JWKS
 * (enableNonRepudiationChecks: openid-client does not check it by default on the token endpoint
 * response), symmetric and unsigned algorithms are refused, and iss/aud/azp/exp/nonce are checked
 * by openid-client. Discovery is lazy (first sign-in) and cached per connection for an hour.
 */
import { createHash } from 'node:crypto';
import * as client from 'openid-client';
import { DomainError } from '../../errors.js';
import type { Services } from '../../services/index.js';
import type { SsoOutcome } from '../../services/sso-complete.js';
import type { OidcSettings, SsoPurpose } from '../../services/sso-types.js';
import { SsoRejected } from './rejected.js';

const DISCOVERY_TTL_MS = 60 * 60 * 1000;
const TIMEOUT_SECONDS = 10;
const ASYMMETRIC = /^(RS|PS|ES)(256|384|512)$|^EdDSA$|^Ed25519$/;

const configurations = new Map<string, { key: string; at: number; config: client.Configuration }>();

async function configuration(s: OidcSettings): Promise<client.Configuration> {
  const key = createHash('sha256').update(JSON.stringify([s.issuer, s.clientId, s.clientSecret, s.allowHttpIssuer])).digest('hex');
  const cached = configurations.get(s.connectionId);
  if (cached && cached.key === key && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.config;
  // Plain http only for a test IdP on a loopback address, which the connection must say (never the default).
  const execute = s.allowHttpIssuer ? [client.enableNonRepudiationChecks, client.allowInsecureRequests] : [client.enableNonRepudiationChecks];
  const config = await client.discovery(new URL(s.issuer), s.clientId, { client_secret: s.clientSecret }, client.ClientSecretBasic(s.clientSecret), {
    execute, timeout: TIMEOUT_SECONDS,
  });
  configurations.set(s.connectionId, { key, at: Date.now(), config });
  return config;
}

/** Starts an OIDC login: stores the transaction and returns the IdP's authorization URL. */
export async function beginOidc(services: Services, connectionId: string, purpose: SsoPurpose, browserToken: string, linkUserSid: string | null = null): Promise<string> {
  const s = await services.sso.oidcSettings(connectionId);
  const config = await configuration(s);
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  await services.sso.beginOidc({ connectionId, orgSid: s.orgSid, purpose, state, nonce, codeVerifier, browserToken, linkUserSid });
  return client.buildAuthorizationUrl(config, {
    redirect_uri: s.redirectUri, scope: 'openid email profile', response_type: 'code',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier), code_challenge_method: 'S256', state, nonce,
  }).href;
}

const claim = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value.slice(0, 320) : null);

/** The callback: consume the transaction, redeem the code, verify the ID token, sign in. */
export async function completeOidc(services: Services, connectionId: string, query: Record<string, unknown>, browserToken: string | undefined, requestId: string): Promise<SsoOutcome> {
  const s = await services.sso.oidcSettings(connectionId);
  // Consumed first: whatever happens next, this callback cannot be replayed.
  const t = await services.sso.consumeOidc({ connectionId, state: query.state, browserToken });
  if (!s.enabled) throw new SsoRejected('connection disabled');
  if (query.error !== undefined) throw new SsoRejected(`IdP returned error ${JSON.stringify(query.error)}`);
  const config = await configuration(s);
  const current = new URL(s.redirectUri);
  for (const [k, v] of Object.entries(query)) if (typeof v === 'string') current.searchParams.set(k, v);
  const tokens = await client.authorizationCodeGrant(config, current, {
    pkceCodeVerifier: t.codeVerifier, expectedState: t.state, expectedNonce: t.nonce, idTokenExpected: true,
  });
  const header = JSON.parse(Buffer.from((tokens.id_token ?? '').split('.')[0] ?? '', 'base64url').toString('utf8') || '{}') as { alg?: unknown };
  if (typeof header.alg !== 'string' || !ASYMMETRIC.test(header.alg)) throw new SsoRejected(`ID token algorithm ${String(header.alg)} refused`);
  const claims = tokens.claims();
  if (!claims || claims.iss !== config.serverMetadata().issuer) throw new SsoRejected('ID token issuer mismatch');
  let email = claim(claims.email);
  let emailVerified: unknown = claims.email_verified;
  if (email === null && tokens.access_token) {
    // Some IdPs put the email only in UserInfo; fetchUserInfo checks that `sub` is the same.
    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    email = claim(info.email);
    emailVerified = info.email_verified;
  }
  if (email === null) throw new SsoRejected('no email claim');
  return services.signIn.completeSso({
    connectionId, orgSid: s.orgSid, protocol: 'oidc', issuer: claims.iss, subject: claims.sub, email, emailVerified: emailVerified === true,
    profile: { displayName: claim(claims.name), givenName: claim(claims.given_name), familyName: claim(claims.family_name) },
  }, { kind: 'oidc', purpose: t.purpose, linkUserSid: t.linkUserSid }, { requestId });
}

/** What to register at the IdP for this connection. */
export async function oidcClientMetadata(services: Services, connectionId: string): Promise<Record<string, unknown>> {
  const s = await services.sso.oidcSettings(connectionId);
  return {
    client_id: s.clientId, redirect_uris: [s.redirectUri], response_types: ['code'], grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic', scope: 'openid email profile', issuer: s.issuer,
  };
}

/**
 * S1: checks, before an OIDC connection is saved, that `issuer` publishes an OpenID Provider
 * configuration (discovery, which also checks that the document names this issuer). Plain http
 * only for a loopback test IdP when `allowHttpIssuer`. A failure is invalid_input naming the URL.
 */
export async function checkOidcIssuer(issuer: string, clientId: string, clientSecret: string, allowHttpIssuer: boolean): Promise<void> {
  let url: URL;
  try { url = new URL(issuer); } catch { throw new DomainError('invalid_input', 'issuer must be an absolute https:// URL.', { details: { field: 'issuer' } }); }
  const execute = allowHttpIssuer && url.protocol === 'http:' ? [client.allowInsecureRequests] : [];
  try {
    await client.discovery(url, clientId, { client_secret: clientSecret }, client.ClientSecretBasic(clientSecret), { execute, timeout: TIMEOUT_SECONDS });
  } catch (cause) {
    throw new DomainError('invalid_input', `No usable OpenID Provider configuration at ${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration: `
      + 'check the issuer URL (it must match the "issuer" of that document).', { cause, details: { field: 'issuer' } });
  }
}
