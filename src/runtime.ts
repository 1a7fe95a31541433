/**
 * Builds everything a process needs from a Config (database, store, adapters, services) and tears
 * it down again. Shared by the HTTP server and the operator CLI so both use the same services.
 */
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { systemClock, type Clock } from './clock.js';
import { createDb, migrateLatest, migrationsCurrent, type Db } from './store/db.js';
import { createStore, type Store } from './store/index.js';
import { rethrowDbError } from './store/db-errors.js';
import { createTxtLookup, type TxtLookup } from './adapters/dns.js';
import { createMailer } from './adapters/mailer.js';
import { createServices, type Services } from './services/index.js';
import { DomainError } from './errors.js';
import { lockDataDir, type DataDirLock } from './data-dir-lock.js';

export interface Runtime {
  readonly db: Db;
  readonly store: Store;
  readonly services: Services;
  migrate(): Promise<string[]>;
  health(): Promise<void>;
  close(): Promise<void>;
}

export async function createRuntime(config: Config, logger: Logger, overrides: { clock?: Clock; dns?: TxtLookup } = {}): Promise<Runtime> {
  // The embedded database serves one process at a time: refuse clearly rather than corrupt it.
  const lock: DataDirLock | undefined = config.databaseUrl ? undefined : lockDataDir(config.dataDir);
  let db: Db;
  try {
    db = createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolMax: config.dbPoolMax, timeoutMs: config.dbTimeoutMs, logger });
  } catch (error) {
    lock?.release();
    throw error;
  }
  const store = createStore(db);
  const clock = overrides.clock ?? systemClock;
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, store, logger, clock });
  const services = createServices({
    store, clock, logger, mailer, dns: overrides.dns ?? createTxtLookup(config.dnsServers),
    baseUrl: config.baseUrl, secretKey: config.secretKey,
  });
  return {
    db, store, services,
    async migrate() {
      try {
        return await migrateLatest(db);
      } catch (error) {
        // An unreachable database becomes database_unavailable, so callers can wait and retry.
        rethrowDbError(error);
      }
    },
    async health() {
      await store.ping();
      if (!(await migrationsCurrent(db))) throw new DomainError('database_unavailable', 'Migrations are pending.');
    },
    async close() {
      try {
        await mailer.flush();
        mailer.close();
        await db.destroy();
      } finally {
        lock?.release();
      }
    },
  };
}
