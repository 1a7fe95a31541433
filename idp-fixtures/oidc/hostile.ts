/**
 * A hostile OpenID Provider built with jose, on 127.0.0.1 port 0: its discovery document and JWKS
 * are honest, but its token endpoint returns whatever ID token the test asks for (alg none, HS256
 * keyed with the client secret, an unknown key, wrong iss/aud/azp, expired, another nonce, email
 * unverified...). Authorization redirects straight back with a code and the request's state.
 * Test-only.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as jose from 'jose';

export type HostileToken = 'valid' | 'alg-none' | 'hs256-client-secret' | 'unknown-key';

export interface HostileBehaviour {
  readonly token?: HostileToken;
  /** Claims merged over the honest ones; `undefined` removes a claim. */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** Seconds added to iat/exp (negative: in the past). */
  readonly shiftSeconds?: number;
}

export interface HostileIssuer {
  readonly issuer: string;
  /** The subject, email and verification of the next ID token. */
  behave(behaviour: HostileBehaviour): void;
  /** The last authorization request's parameters. */
  lastAuthorization(): URLSearchParams | undefined;
  close(): Promise<void>;
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export async function startHostileIssuer(client: { clientId: string; clientSecret: string }, subject = { sub: 'hostile-sub-1', email: 'alice@corp.test' }): Promise<HostileIssuer> {
  const good = await jose.generateKeyPair('RS256', { extractable: true });
  const other = await jose.generateKeyPair('RS256', { extractable: true });
  const publicJwk = { ...(await jose.exportJWK(good.publicKey)), kid: 'good', alg: 'RS256', use: 'sig' };
  let behaviour: HostileBehaviour = {};
  let last: URLSearchParams | undefined;
  const nonces = new Map<string, string>();

  const server = http.createServer((req, res) => { void handle(req, res).catch(() => { res.statusCode = 500; res.end(); }); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  async function idToken(nonce: string | undefined): Promise<string> {
    const now = Math.floor(Date.now() / 1000) + (behaviour.shiftSeconds ?? 0);
    const claims: Record<string, unknown> = {
      iss: issuer, aud: client.clientId, sub: subject.sub, email: subject.email, email_verified: true, nonce, iat: now, exp: now + 300,
    };
    for (const [k, v] of Object.entries(behaviour.claims ?? {})) {
      if (v === undefined) delete claims[k];
      else claims[k] = v;
    }
    switch (behaviour.token ?? 'valid') {
      case 'alg-none': return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
      case 'hs256-client-secret': return new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(client.clientSecret));
      case 'unknown-key': return new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'good' }).sign(other.privateKey);
      case 'valid': return new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'good' }).sign(good.privateKey);
    }
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', issuer);
    switch (url.pathname) {
      case '/.well-known/openid-configuration':
        return json(res, 200, {
          issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks`,
          response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'],
          code_challenge_methods_supported: ['S256'], token_endpoint_auth_methods_supported: ['client_secret_basic'],
        });
      case '/jwks':
        return json(res, 200, { keys: [publicJwk] });
      case '/authorize': {
        last = url.searchParams;
        const code = randomBytes(16).toString('hex');
        nonces.set(code, url.searchParams.get('nonce') ?? '');
        const back = new URL(url.searchParams.get('redirect_uri') ?? '');
        back.searchParams.set('code', code);
        back.searchParams.set('state', url.searchParams.get('state') ?? '');
        res.writeHead(302, { Location: back.href });
        return void res.end();
      }
      case '/token': {
        const body = await new Promise<string>((resolve) => { let s = ''; req.on('data', (c: Buffer) => { s += c.toString(); }); req.on('end', () => resolve(s)); });
        const code = new URLSearchParams(body).get('code') ?? '';
        return json(res, 200, { access_token: randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 300, id_token: await idToken(nonces.get(code)) });
      }
      default:
        return json(res, 404, { error: 'not_found' });
    }
  }

  return {
    issuer,
    behave(b) { behaviour = b; },
    lastAuthorization: () => last,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
