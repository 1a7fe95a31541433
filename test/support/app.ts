/**
 * Builds the real app over a private test database, with injectable clock, DNS and SMTP settings.
 */
import { createApp, type RequestListener } from '../../src/app.js';
import { manualClock, type Clock } from '../../src/clock.js';
import { createTxtLookup, type TxtLookup } from '../../src/adapters/dns.js';
import { createMailer, type Mailer } from '../../src/adapters/mailer.js';
import { silentLogger, type Logger } from '../../src/logger.js';
import { createStore, type Store } from '../../src/store/index.js';
import { migrationsCurrent } from '../../src/store/db.js';
import { createServices, type Services } from '../../src/services/index.js';
import { createTestDb, type TestDb } from './db.js';
import type { RateLimitSettings } from '../../src/http/rate-limit.js';
import { allRoutes } from '../../src/http/api/index.js';
import { checkingResponses } from './api-responses.js';
import type { Metrics } from '../../src/metrics/registry.js';

export interface TestContext {
  readonly app: RequestListener;
  readonly services: Services;
  readonly store: Store;
  readonly testDb: TestDb;
  readonly clock: ReturnType<typeof manualClock>;
  readonly mailer: Mailer;
  readonly baseUrl: string;
  close(): Promise<void>;
}

export interface TestOptions {
  dnsServers?: string[];
  dns?: TxtLookup;
  smtpUrl?: string;
  clock?: ReturnType<typeof manualClock>;
  logger?: Logger;
  baseUrl?: string;
  /** Reuse an existing database (a second instance over the same data). */
  testDb?: TestDb;
  /** Rate limits (tests lower them); the defaults otherwise. */
  rateLimits?: Partial<RateLimitSettings>;
  /** Prometheus series the app records (metrics/registry.ts); none when absent. */
  metrics?: Metrics;
  /** Events and webhooks settings (issue 13: private webhook targets for loopback receivers). */
  events?: { allowPrivateTargets?: boolean; retentionDays?: number };
  /** IdP metadata URL settings (issue 11: plain-http loopback IdPs need allowPrivateTargets). */
  ssoMetadata?: { allowPrivateTargets?: boolean; timeoutMs?: number };
}

export const TEST_SECRET_KEY = Buffer.alloc(32, 9);

export async function createTestContext(options: TestOptions = {}): Promise<TestContext> {
  const testDb = options.testDb ?? (await createTestDb());
  const store = createStore(testDb.db);
  const clock = options.clock ?? manualClock(new Date());
  const logger = options.logger ?? silentLogger;
  const baseUrl = options.baseUrl ?? 'http://orgward.test';
  const mailer = createMailer({ smtpUrl: options.smtpUrl, from: 'Orgward <no-reply@orgward.test>', store, logger, clock: clock as Clock });
  const services = createServices({
    store, clock, logger, mailer, baseUrl, secretKey: TEST_SECRET_KEY,
    dns: options.dns ?? createTxtLookup(options.dnsServers ?? ['127.0.0.1:1'], 500),
    ...(options.events && { events: options.events }),
    ...(options.ssoMetadata && { ssoMetadata: options.ssoMetadata }),
  });
  const app = checkingResponses(createApp({
    services, logger, baseUrl, secureCookies: false, ...(options.rateLimits && { rateLimits: options.rateLimits }),
    ...(options.metrics && { metrics: options.metrics }),
    health: async () => { await store.ping(); if (!(await migrationsCurrent(testDb.db))) throw new Error('migrations pending'); },
  }), allRoutes(services, baseUrl));
  return {
    app, services, store, testDb, clock, mailer, baseUrl,
    async close() {
      await mailer.flush();
      mailer.close();
      if (!options.testDb) await testDb.destroy();
    },
  };
}
