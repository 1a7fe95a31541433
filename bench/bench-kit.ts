/**
 * Shared pieces of the in-process benchmarks: a scratch database (PostgreSQL when DATABASE_URL is
 * set, dropped after; else in-memory PGlite), the real services and app on a loopback port, and
 * the yardstick of the same run (the database alone answering a primary-key SELECT at 16 clients).
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import knexFactory, { type Knex } from 'knex';
import { createApp } from '../src/app.js';
import { createAppServer } from '../src/http/server.js';
import { tuneGarbageCollector } from '../src/gc-tuning.js';
import { systemClock } from '../src/clock.js';
import { createMailer, type Mailer } from '../src/adapters/mailer.js';
import { createTxtLookup } from '../src/adapters/dns.js';
import { silentLogger } from '../src/logger.js';
import { newSid } from '../src/ids.js';
import { createDb, migrateLatest, type Db } from '../src/store/db.js';
import { createStore, type Store } from '../src/store/index.js';
import { createServices, type Services } from '../src/services/index.js';

export interface ScratchDatabase {
  readonly db: Db;
  /** The scratch database's URL on PostgreSQL; undefined on PGlite. */
  readonly databaseUrl: string | undefined;
  readonly kind: 'postgresql' | 'pglite';
  /** Closes the pool and drops the scratch database. */
  drop(): Promise<void>;
}

/**
 * A migrated database for one run: on PostgreSQL (DATABASE_URL set) a scratch database of its own,
 * never the one DATABASE_URL names, dropped by `drop()`; else in-memory PGlite.
 */
export async function openScratchDatabase(poolMax: number): Promise<ScratchDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  const scratch = `orgward_bench_${randomBytes(4).toString('hex')}`;
  let admin: Knex | undefined;
  let databaseUrl: string | undefined;
  if (serverUrl) {
    admin = knexFactory({ client: 'pg', connection: serverUrl, pool: { min: 0, max: 1 } });
    await admin.raw(`CREATE DATABASE ${scratch}`);
    const u = new URL(serverUrl);
    u.pathname = `/${scratch}`;
    databaseUrl = u.toString();
  }
  const db = createDb({ databaseUrl, dataDir: 'memory://', poolMax });
  const drop = async () => {
    await db.destroy();
    if (admin) { await admin.raw(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`); await admin.destroy(); }
  };
  try {
    await migrateLatest(db);
  } catch (error) {
    await drop();
    throw error;
  }
  return { db, databaseUrl, kind: databaseUrl ? 'postgresql' : 'pglite', drop };
}

/** The key that seals the benchmarks' secrets at rest. */
export const BENCH_SECRET_KEY = Buffer.alloc(32, 1);

/** The real services over `store`, as the runtime wires them (no SMTP, DNS to a closed port): close the mailer after. */
export function benchServices(store: Store, baseUrl: string, options: { allowPrivateTargets?: boolean } = {}): { services: Services; mailer: Mailer } {
  const mailer = createMailer({ smtpUrl: undefined, from: 'bench@orgward.test', store, logger: silentLogger, clock: systemClock });
  const services = createServices({
    store, clock: systemClock, logger: silentLogger, mailer, baseUrl, secretKey: BENCH_SECRET_KEY,
    dns: createTxtLookup(['127.0.0.1:1'], 100), events: { allowPrivateTargets: options.allowPrivateTargets ?? false },
  });
  return { services, mailer };
}

export interface Bench extends ScratchDatabase {
  readonly store: Store;
  readonly services: Services;
  /** The app's loopback address, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  /** Closes the server (and its connections), the mailer and the pool, and drops the scratch database. */
  close(): Promise<void>;
}

export interface BenchOptions {
  /** Pool size (default 20). */
  readonly poolMax?: number;
  /** The base URL the services and app are told (default: the server's own loopback address). */
  readonly baseUrl?: string;
  /** Webhook targets on loopback allowed (the events benchmark's receiver). */
  readonly allowPrivateTargets?: boolean;
  /** Idle keep-alive sockets' lifetime, when a run leaves them idle longer than Node's default 5 s. */
  readonly keepAliveTimeout?: number;
}

/** A scratch database (see openScratchDatabase) with the real services and app served on a loopback port, in this process. */
export async function startBench(options: BenchOptions = {}): Promise<Bench> {
  // The garbage collector as serve() tunes it: the figures are the server's as it runs.
  tuneGarbageCollector();
  const scratch = await openScratchDatabase(options.poolMax ?? 20);
  const store = createStore(scratch.db);
  const { server, serve } = createAppServer(options.keepAliveTimeout ? { keepAliveTimeout: options.keepAliveTimeout } : {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const baseUrl = options.baseUrl ?? url;
  const { services, mailer } = benchServices(store, baseUrl, options);
  serve(createApp({ services, logger: silentLogger, baseUrl, secureCookies: false, health: async () => undefined }));
  return {
    ...scratch, store, services, url,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      mailer.close();
      await scratch.drop();
    },
  };
}

/** An organization with its Owner, and an API client of that Owner's with `role`: the bearer of the API benchmarks. */
export async function seedApiClient(bench: Pick<Bench, 'store' | 'services'>, ownerEmail: string, role: Parameters<Services['apiClients']['create']>[2]['role']) {
  const orgSid = newSid('OR');
  const ownerSid = newSid('US');
  await bench.store.transaction(async (repos) => {
    await repos.organizations.insert({ sid: orgSid, name: 'Bench' });
    await repos.users.insert({ sid: ownerSid, email: ownerEmail });
    await repos.users.join(ownerSid, orgSid, 'owner');
  });
  const client = await bench.services.apiClients.create({ kind: 'user', userSid: ownerSid }, orgSid, { role });
  return { orgSid, ownerSid, client };
}

/** The database alone: primary-key SELECTs on one of its tables at `clients` concurrent callers for `ms`. */
export async function yardstick(db: Db, clients: number, ms: number): Promise<number> {
  const user = (await db.raw('SELECT sid FROM users LIMIT 1')).rows[0]?.sid ?? 'US0';
  let n = 0;
  const end = performance.now() + ms;
  await Promise.all(Array.from({ length: clients }, async () => {
    while (performance.now() < end) { await db.raw('SELECT sid, status FROM users WHERE sid = ?', [user]); n += 1; }
  }));
  return n / (ms / 1000);
}

export const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** POSTs JSON with a bearer token over a kept-alive agent; resolves with the status and body. */
export function postJson(agent: http.Agent, url: string, token: string, body: unknown): Promise<{ status: number; body: string }> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(data);
  });
}
