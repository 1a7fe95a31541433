/**
 * Benchmark: the OpenID provider's token endpoint for the product's apps (issue 13).
 * (1) Authorization code exchange: codes are obtained first (a signed-in browser at
 * /oauth/authorize, not measured), then exchanged at POST /v1/token (client_secret_basic, PKCE
 * S256) by 8 concurrent callers: exchanges per second, each issuing an RS256 ID token with the
 * organization claims, an access token and a refresh token. (2) Refresh: each caller rotates its
 * refresh token in a chain: refreshes per second. (3) The yardstick of the same run: the database
 * alone answering a primary-key read of the provider's state at 8 concurrent callers.
 * Caller and server share this process: CPU per request is the whole process's.
 * Bounded: BENCH_CODES (default 400) codes, BENCH_REFRESHES (default 800).
 *
 *   node --import tsx bench/oidc-tokens.ts                                # embedded PGlite
 *   DATABASE_URL=postgres://... node --import tsx bench/oidc-tokens.ts    # in a scratch database, dropped after
 */
import { createHash, randomBytes } from 'node:crypto';
import { newSid } from '../src/ids.js';
import { startBench } from './bench-kit.js';

const CODES = Math.min(Number(process.env.BENCH_CODES ?? 400), 5000);
const REFRESHES = Math.min(Number(process.env.BENCH_REFRESHES ?? 800), 20000);
const CONCURRENCY = 8;
const REDIRECT = 'https://app.bench.test/cb';

async function main(): Promise<void> {
  const bench = await startBench({ poolMax: 10 });
  const { db, store, services, url: baseUrl, databaseUrl } = bench;

  // A person in an organization with 5 accounts (claims computed at each issuance), signed in.
  const orgSid = newSid('OR');
  const userSid = newSid('US');
  const session = await store.transaction(async (repos) => {
    await repos.organizations.insert({ sid: orgSid, name: 'Bench' });
    await repos.users.insert({ sid: userSid, email: 'person@bench-oidc.test' });
    await repos.users.join(userSid, orgSid, 'owner');
    for (let i = 0; i < 5; i++) {
      await repos.accounts.insert({ sid: newSid('AC'), name: `Account ${i}`, usage: 'twilio', plan: 'trial', status: 'active', ownerSid: userSid, parentSid: null, orgSid, management: 'managed', hipaa: false });
    }
    return services.sessions.issue(repos, { userSid, method: 'password', passwordChangedAt: null });
  });
  const app = await services.oidcApps.create({ kind: 'operator' }, { name: 'Bench', redirectUris: [REDIRECT] });
  const basic = `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`;

  // The browser: follows redirects inside Orgward, keeps cookies (by name; one flow at a time).
  const jar = new Map<string, string>([['orgward_session', session.token]]);
  async function code(): Promise<{ code: string; verifier: string }> {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    let url = `${baseUrl}/oauth/authorize?${new URLSearchParams({ client_id: app.clientId, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid email organization offline_access', prompt: 'consent', code_challenge: challenge, code_challenge_method: 'S256' })}`;
    for (let hops = 0; hops < 12; hops++) {
      if (url.startsWith(REDIRECT)) {
        const c = new URL(url).searchParams.get('code');
        if (!c) throw new Error(`no code: ${url}`);
        return { code: c, verifier };
      }
      const res = await fetch(url, { redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
      for (const set of res.headers.getSetCookie()) {
        const [pair] = set.split(';');
        const eq = pair!.indexOf('=');
        const value = pair!.slice(eq + 1);
        if (value === '') jar.delete(pair!.slice(0, eq)); else jar.set(pair!.slice(0, eq), value);
      }
      await res.arrayBuffer();
      const location = res.headers.get('location');
      if (!location) throw new Error(`authorize answered ${res.status}`);
      url = new URL(location, url).href;
    }
    throw new Error('too many redirects');
  }
  const tokenCall = async (form: Record<string, string>): Promise<{ refresh_token: string; id_token: string }> => {
    const res = await fetch(`${baseUrl}/v1/token`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
    const body = await res.json() as { refresh_token: string; id_token: string; error?: string };
    if (res.status !== 200) throw new Error(`token: ${res.status} ${body.error}`);
    return body;
  };

  const lines = [`OpenID provider token benchmark (${databaseUrl ? 'PostgreSQL' : 'embedded PGlite'}, node ${process.version}, caller in the same process)`];
  const codes: { code: string; verifier: string }[] = [];
  for (let i = 0; i < CODES; i++) codes.push(await code());
  // Warm-up: a few exchanges before measuring.
  const refreshTokens: string[] = [];
  for (let i = 0; i < CONCURRENCY; i++) {
    const c = codes.pop()!;
    refreshTokens.push((await tokenCall({ grant_type: 'authorization_code', code: c.code, code_verifier: c.verifier, redirect_uri: REDIRECT })).refresh_token);
  }
  let cpu = process.cpuUsage();
  let started = performance.now();
  const total = codes.length;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (let c = codes.pop(); c; c = codes.pop()) await tokenCall({ grant_type: 'authorization_code', code: c.code, code_verifier: c.verifier, redirect_uri: REDIRECT });
  }));
  let wall = performance.now() - started;
  let used = process.cpuUsage(cpu);
  lines.push(`  authorization code exchange: ${total} codes, ${CONCURRENCY} concurrent callers`,
    `    ${(total / (wall / 1000)).toFixed(0)} exchanges/s; ${((used.user + used.system) / 1000 / total).toFixed(2)} ms CPU per exchange (caller included)`);

  cpu = process.cpuUsage();
  started = performance.now();
  let done = 0;
  await Promise.all(refreshTokens.map(async (first) => {
    let rt = first;
    while (done < REFRESHES) {
      done += 1;
      rt = (await tokenCall({ grant_type: 'refresh_token', refresh_token: rt })).refresh_token;
    }
  }));
  wall = performance.now() - started;
  used = process.cpuUsage(cpu);
  lines.push(`  refresh (rotating): ${done} refreshes, ${CONCURRENCY} chains`,
    `    ${(done / (wall / 1000)).toFixed(0)} refreshes/s; ${((used.user + used.system) / 1000 / done).toFixed(2)} ms CPU per refresh (caller included)`);

  // Yardstick: the database alone, a primary-key read of the provider's state, same concurrency.
  const ids = (await db('oidc_payloads').select('model', 'id').limit(100)) as { model: string; id: string }[];
  let reads = 0;
  started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (performance.now() - started < 3000) {
      const r = ids[reads++ % ids.length]!;
      await db.raw('SELECT payload FROM oidc_payloads WHERE model = ? AND id = ?', [r.model, r.id]);
    }
  }));
  wall = performance.now() - started;
  lines.push(`  yardstick, same run: the database alone, ${(reads / (wall / 1000)).toFixed(0)} primary-key reads/s at ${CONCURRENCY} callers`);
  console.log(lines.join('\n'));

  await bench.close();
}

main().catch((error: unknown) => { console.error(error); process.exit(1); });
