/**
 * Benchmark: SAML ACS, end to end through HTTP on loopback with session creation. Signed 2048-bit
 * RSA / SHA-256 responses (assertion signed, Okta shape) are minted ahead of time for requests our
 * SP issued; then each is posted to /sso/saml/:id/acs one after another (the sign-in rate of one
 * process, which is one core for the JavaScript; PGlite runs in the same thread, PostgreSQL in its
 * own process). xml-crypto's checkSignature is timed to give the share of time spent on XML
 * signature work. Bounded: BENCH_SIGNINS (default 300) sign-ins or 60 seconds, whichever first.
 *
 *   node --import tsx bench/saml-acs.ts            # embedded PGlite
 *   DATABASE_URL=postgres://... node --import tsx bench/saml-acs.ts   # in a scratch database, dropped after
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { SignedXml } from 'xml-crypto';
import { newSid } from '../src/ids.js';
import { startBench } from './bench-kit.js';
import { IDP_A_KEY } from '../idp-fixtures/keys.js';
import { encodeResponse, mintResponse } from '../idp-fixtures/saml/mint.js';

const COUNT = Math.min(Number(process.env.BENCH_SIGNINS ?? 300), 5000);
const TIME_LIMIT_MS = 60_000;

// Time spent verifying XML signatures (canonicalisation, digests, RSA verification).
let signatureMs = 0;
const check = SignedXml.prototype.checkSignature as (...args: unknown[]) => boolean;
(SignedXml.prototype as unknown as { checkSignature: typeof check }).checkSignature = function timed(this: unknown, ...args: unknown[]) {
  const started = performance.now();
  try {
    return check.apply(this, args);
  } finally {
    signatureMs += performance.now() - started;
  }
};

async function main(): Promise<void> {
  const bench = await startBench({ poolMax: 10 });
  const { store, services, url: baseUrl, databaseUrl } = bench;

  const domain = `bench-${Date.now()}.test`;
  const orgSid = newSid('OR');
  await store.transaction(async (repos) => {
    const owner = newSid('US');
    await repos.organizations.insert({ sid: orgSid, name: 'Bench' });
    await repos.users.insert({ sid: owner, email: `owner@${domain}` });
    await repos.users.join(owner, orgSid, 'owner');
    const d = await repos.domains.insert({ orgSid, name: domain, txtToken: 'bench' });
    await repos.domains.markVerified(d.id, new Date());
    await repos.domains.update(d.id, { policy: 'auto_enrollment' });
  });
  const idpEntityId = 'https://idp.bench.test';
  const conn = await services.sso.addSaml({ kind: 'operator' }, orgSid, { idpEntityId, ssoUrl: 'https://idp.bench.test/sso', certificates: [IDP_A_KEY.cert] });
  // S1: only a tested connection signs people in (the test sign-in itself is not benchmarked).
  await store.transaction((repos) => repos.ssoConnections.markTested(conn.connectionId, new Date()));
  // The login cookie of the one "browser" that posts every response (requests are bound to it).
  const browserToken = randomBytes(32).toString('base64url');

  // Untimed: the AuthnRequests (as /login would issue them) and the IdP's signed responses.
  let serial = 0;
  const mintAll = async (): Promise<string[]> => {
    const bodies: string[] = [];
    for (let i = 0; i < COUNT; i++) {
      const requestId = `_bench${serial++}_${Date.now()}`;
      const relayState = `bench-relay-state-${String(serial).padStart(8, '0')}`;
      await services.sso.saveSamlRequest({ requestId, connectionId: conn.connectionId, purpose: 'sign_in', relayState, browserToken, linkUserSid: null });
      const xml = await mintResponse({ issuer: idpEntityId, key: IDP_A_KEY, spEntityId: conn.spEntityId, acsUrl: conn.acsUrl!, inResponseTo: requestId, email: `user${i}@${domain}` });
      bodies.push(new URLSearchParams({ SAMLResponse: encodeResponse(xml), RelayState: relayState }).toString());
    }
    return bodies;
  };

  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const post = (body: string) => new Promise<{ status: number; cookie: boolean }>((resolve, reject) => {
    const req = http.request(`${baseUrl}/sso/saml/${conn.connectionId}/acs`, {
      method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), cookie: `orgward_saml=${browserToken}` },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, cookie: String(res.headers['set-cookie'] ?? '').includes('orgward_session=ows_') }));
    });
    req.on('error', reject);
    req.end(body);
  });

  const lines = [`SAML ACS benchmark (${databaseUrl ? 'PostgreSQL' : 'embedded PGlite'}, node ${process.version}, 2048-bit RSA / SHA-256, assertion signed, one connection)`];
  // First pass: every sign-in creates its user (JIT), SSO identity and session. Second pass: the
  // same people again (known identity, session only).
  for (const pass of ['first sign-in (JIT user + identity + session)', 'returning user (session only)']) {
    const bodies = await mintAll();
    // Warm-up (JIT compilation, connection pool), not counted.
    await post(bodies.shift()!);
    signatureMs = 0;
    const latencies: number[] = [];
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    for (const body of bodies) {
      if (performance.now() - started > TIME_LIMIT_MS) break;
      const t = performance.now();
      const res = await post(body);
      latencies.push(performance.now() - t);
      if (res.status !== 303 || !res.cookie) throw new Error(`sign-in failed with ${res.status}`);
    }
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    latencies.sort((a, b) => a - b);
    const n = latencies.length;
    const pct = (p: number) => latencies[Math.min(n - 1, Math.floor(n * p))]!.toFixed(1);
    lines.push(
      `  ${pass}: ${n} sign-ins`,
      `    throughput:         ${(n / (wallMs / 1000)).toFixed(1)} sign-ins/s wall clock; ${(n / (cpuMs / 1000)).toFixed(1)} sign-ins per CPU-second of this process (per core)`,
      `    latency:            p50 ${pct(0.5)} ms, p95 ${pct(0.95)} ms, max ${latencies[n - 1]!.toFixed(1)} ms`,
      `    XML signature work: ${(signatureMs / n).toFixed(2)} ms per sign-in = ${((100 * signatureMs) / cpuMs).toFixed(1)}% of CPU time (${((100 * signatureMs) / wallMs).toFixed(1)}% of wall time)`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);

  agent.destroy();
  await bench.close();
}

await main();
