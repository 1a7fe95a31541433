/**
 * Shared pieces of the issue 13 benchmarks: a scratch database (PostgreSQL when DATABASE_URL is
 * set, dropped after; else in-memory PGlite), the real services and app on a loopback port, and
 * the yardstick of the same run (the database alone answering a primary-key SELECT at 16 clients).
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import knexFactory, { type Knex } from 'knex';
import { createApp } from '../src/app.js';
import { systemClock } from '../src/clock.js';
import { createMailer } from '../src/adapters/mailer.js';
import { createTxtLookup } from '../src/adapters/dns.js';
import { silentLogger } from '../src/logger.js';
import { createDb, migrateLatest, type Db } from '../src/store/db.js';
import { createStore, type Store } from '../src/store/index.js';
import { createServices, type Services } from '../src/services/index.js';

export interface Bench {
  readonly db: Db;
  readonly store: Store;
  readonly services: Services;
  readonly url: string;
  readonly kind: 'postgresql' | 'pglite';
  close(): Promise<void>;
}

export async function startBench(options: { allowPrivateTargets?: boolean } = {}): Promise<Bench> {
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
  const db = createDb({ databaseUrl, dataDir: 'memory://', poolMax: 20 });
  await migrateLatest(db);
  const store = createStore(db);
  const mailer = createMailer({ smtpUrl: undefined, from: 'b <b@b.test>', store, logger: silentLogger, clock: systemClock });
  const services = createServices({
    store, clock: systemClock, logger: silentLogger, mailer, baseUrl: 'http://127.0.0.1', secretKey: Buffer.alloc(32, 3),
    dns: createTxtLookup(['127.0.0.1:1'], 200), events: { allowPrivateTargets: options.allowPrivateTargets ?? false },
  });
  const app = createApp({ services, logger: silentLogger, baseUrl: 'http://127.0.0.1', secureCookies: false, health: async () => undefined });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    db, store, services, url, kind: databaseUrl ? 'postgresql' : 'pglite',
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      mailer.close();
      await db.destroy();
      if (admin) { await admin.raw(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`); await admin.destroy(); }
    },
  };
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
