/**
 * A real OpenID Provider (panva/oidc-provider) in process on 127.0.0.1, port 0, for full code +
 * PKCE flows. Clients are registered at run time (the redirect URI names an Orgward connection
 * that exists only after the issuer URL is known). The login step is automatic: the interaction
 * signs in the account chosen with `nextLogin(sub)` and grants the requested scopes. Test-only.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as jose from 'jose';
import Provider from 'oidc-provider';

export interface TestAccount {
  readonly sub: string;
  readonly email?: string;
  readonly emailVerified?: boolean;
  readonly name?: string;
}

export interface TestOidcProvider {
  readonly issuer: string;
  addClient(client: { clientId: string; clientSecret: string; redirectUri: string }): void;
  addAccount(account: TestAccount): void;
  /** The account the next authorization request signs in. */
  nextLogin(sub: string): void;
  close(): Promise<void>;
}

/** oidc-provider's storage contract over Maps, one set per provider instance. */
function memoryAdapter() {
  const stores = new Map<string, Map<string, Record<string, unknown>>>();
  const store = (name: string) => {
    let s = stores.get(name);
    if (!s) stores.set(name, (s = new Map()));
    return s;
  };
  return class MemoryAdapter {
    constructor(private readonly name: string) {}
    async upsert(id: string, payload: Record<string, unknown>) { store(this.name).set(id, payload); }
    async find(id: string) { return store(this.name).get(id); }
    async findByUid(uid: string) { return [...store(this.name).values()].find((p) => p.uid === uid); }
    async findByUserCode(code: string) { return [...store(this.name).values()].find((p) => p.userCode === code); }
    async consume(id: string) { const p = store(this.name).get(id); if (p) p.consumed = Math.floor(Date.now() / 1000); }
    async destroy(id: string) { store(this.name).delete(id); }
    async revokeByGrantId(grantId: string) {
      for (const s of stores.values()) for (const [id, p] of s) if (p.grantId === grantId) s.delete(id);
    }
    static clients() { return store('Client'); }
  };
}

export async function startOidcProvider(options: { claimsInIdToken?: boolean } = {}): Promise<TestOidcProvider> {
  const accounts = new Map<string, TestAccount>();
  let next: string | undefined;
  const Adapter = memoryAdapter();
  const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await jose.exportJWK(privateKey)), kid: 'test-rs256', alg: 'RS256', use: 'sig' };

  // The issuer URL needs the port, and the provider needs the issuer: listen first, attach after.
  const late: { handler?: (req: http.IncomingMessage, res: http.ServerResponse) => void } = {};
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      void interact(req, res).catch((error: unknown) => { res.statusCode = 500; res.end(String(error)); });
      return;
    }
    late.handler!(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    adapter: Adapter,
    jwks: { keys: [jwk] },
    cookies: { keys: ['orgward-test-cookie-key'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    conformIdTokenClaims: options.claimsInIdToken === false,
    features: { devInteractions: { enabled: false } },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx: unknown, id: string) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return {
            sub: id,
            ...(account.email !== undefined && { email: account.email }),
            ...(account.emailVerified !== undefined && { email_verified: account.emailVerified }),
            ...(account.name !== undefined && { name: account.name }),
          };
        },
      };
    },
  });
  late.handler = provider.callback();

  async function interact(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      if (!next || !accounts.has(next)) throw new Error('no test account chosen for the next login');
      await provider.interactionFinished(req, res, { login: { accountId: next } }, { mergeWithLastSubmission: false });
      return;
    }
    const grant = new provider.Grant({ accountId: details.session!.accountId!, clientId: details.params.client_id });
    grant.addOIDCScope(String(details.params.scope ?? 'openid'));
    await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
  }

  return {
    issuer,
    addClient({ clientId, clientSecret, redirectUri }) {
      Adapter.clients().set(clientId, {
        client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri], response_types: ['code'],
        grant_types: ['authorization_code'], token_endpoint_auth_method: 'client_secret_basic',
      });
    },
    addAccount(account) { accounts.set(account.sub, account); },
    nextLogin(sub) { next = sub; },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
