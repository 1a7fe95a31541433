/**
 * Helpers of the product-app tests: Orgward listening on loopback (openid-client talks real HTTP
 * to it), an app registered by the operator, a browser (cookie-keeping agent) that follows
 * Orgward's redirects, and a receiver of back-channel logout tokens.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import * as client from 'openid-client';
import { createTestContext, type TestContext, type TestOptions } from '../../support/app.js';
import { OPERATOR } from '../../support/fixtures.js';

export type Agent = ReturnType<typeof request.agent>;

export interface Harness {
  readonly ctx: TestContext;
  readonly baseUrl: string;
  readonly logouts: { body: string }[];
  readonly logoutUri: string;
  close(): Promise<void>;
}

const listen = async (server: http.Server): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};

/** Orgward on a loopback port (the issuer is its URL) and a back-channel logout receiver. */
export async function startHarness(options: TestOptions = {}): Promise<Harness> {
  // The issuer is the listening URL, so the server listens before the app exists.
  const holder: { app?: TestContext['app'] } = {};
  const server = http.createServer((req, res) => holder.app!(req, res));
  const baseUrl = `http://127.0.0.1:${await listen(server)}`;
  const ctx = await createTestContext({ ...options, baseUrl });
  holder.app = ctx.app;
  const logouts: { body: string }[] = [];
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => { logouts.push({ body }); res.writeHead(200).end(); });
  });
  const logoutUri = `http://127.0.0.1:${await listen(receiver)}/backchannel-logout`;
  return {
    ctx, baseUrl, logouts, logoutUri,
    async close() {
      server.closeAllConnections();
      receiver.closeAllConnections();
      await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => receiver.close(r))]);
      await ctx.close();
    },
  };
}

export const REDIRECT_URI = 'http://localhost:4999/callback';

export interface ProductApp {
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly config: client.Configuration;
}

/** An app registered by the operator, and openid-client configured for it from discovery. */
export async function registerApp(h: Harness, options: { public?: boolean; backchannel?: boolean; basic?: boolean } = {}): Promise<ProductApp> {
  const created = await h.ctx.services.oidcApps.create(OPERATOR, {
    name: 'Product', redirectUris: [REDIRECT_URI], public: options.public === true, ...(options.backchannel !== false && { backchannelLogoutUri: h.logoutUri }),
  });
  const auth = created.clientSecret === undefined ? client.None()
    : options.basic === false ? client.ClientSecretPost(created.clientSecret) : client.ClientSecretBasic(created.clientSecret);
  const config = await client.discovery(new URL(h.baseUrl), created.clientId, undefined, auth, { execute: [client.allowInsecureRequests] });
  return { ...created, config };
}

/** A browser session at Orgward (cookies kept per path, as a browser does). */
export const browser = (h: Harness): Agent => request.agent(h.baseUrl);

/**
 * Follows Orgward's redirects from `url` until the browser is sent back to the app (the callback
 * URL) or Orgward shows a page (its path and the response).
 */
export async function follow(h: Harness, agent: Agent, url: string): Promise<{ callback?: URL; page?: { path: string; status: number; text: string } }> {
  let next = url;
  for (let hops = 0; hops < 20; hops++) {
    const path = next.startsWith(h.baseUrl) ? next.slice(h.baseUrl.length) : next;
    if (!path.startsWith('/')) return { callback: new URL(next) };
    const res = await agent.get(path).redirects(0);
    if (res.status >= 300 && res.status < 400 && res.headers.location) {
      next = res.headers.location;
      continue;
    }
    return { page: { path, status: res.status, text: res.text } };
  }
  throw new Error('too many redirects');
}

/** Starts an authorization request for the app; the URL to open and what to check at the callback. */
export async function authorizationUrl(app: ProductApp, extra: Record<string, string> = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(app.config, {
    redirect_uri: REDIRECT_URI, scope: 'openid email organization offline_access', prompt: 'consent', state, nonce,
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra,
  });
  return { url: url.href, verifier, state, nonce };
}
