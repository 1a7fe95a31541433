/**
 * Builds everything a process needs from a Config (database, store, adapters, services) and tears
 * it down again. Shared by the HTTP server and the operator CLI so both use the same services.
 */
import { LEGACY_FIXED_KEY, type Config } from './config.js';
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
import { keyring, type Keyring } from './security/encryption.js';
import { loadOrCreateKeyFile } from './security/key-file.js';
import { reencryptSecrets } from './services/secret-rotation.js';
import type { Metrics } from './metrics/registry.js';
import { onQueryError, outboxBacklog, poolStats, userImportBacklog, webhookDeliveryBacklog } from './store/ops-stats.js';
import { sweeperStore } from './store/sweeper.js';
import { createSweeper, type Sweeper, type SweeperSettings } from './jobs/sweeper.js';
import { housekeepingChecks } from './jobs/housekeeping-checks.js';

export interface Runtime {
  readonly db: Db;
  readonly store: Store;
  readonly services: Services;
  /** The keys that seal and open secrets at rest (primary first). */
  readonly keyring: Keyring;
  migrate(): Promise<string[]>;
  health(): Promise<void>;
  /** Delivers what waits in the mail outbox (failed earlier, or leased by a process that died). */
  deliverMail(): Promise<void>;
  /** Connects the metrics of this process to the database: pool, query errors, outbox and job queues. */
  instrument(metrics: Metrics): void;
  /** The housekeeping sweeper over this database, with its checks (jobs/sweeper.ts, jobs/housekeeping-checks.ts). */
  sweeper(settings: Partial<SweeperSettings>, metrics?: Metrics): Sweeper;
  close(): Promise<void>;
}

export async function createRuntime(config: Config, logger: Logger, overrides: { clock?: Clock; dns?: TxtLookup } = {}): Promise<Runtime> {
  // The embedded database serves one process at a time: refuse clearly rather than corrupt it.
  const lock: DataDirLock | undefined = config.databaseUrl ? undefined : lockDataDir(config.dataDir);
  let db: Db;
  let keys: Keyring;
  let adoptLegacyKey: boolean;
  try {
    ({ keys, adoptLegacyKey } = secretKeyring(config, logger));
    db = createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolMax: config.dbPoolMax, timeoutMs: config.dbTimeoutMs, logger });
  } catch (error) {
    lock?.release();
    throw error;
  }
  const store = createStore(db);
  const clock = overrides.clock ?? systemClock;
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, store, logger, clock, logLinks: !config.production });
  const services = createServices({
    store, clock, logger, mailer, dns: overrides.dns ?? createTxtLookup(config.dnsServers),
    baseUrl: config.baseUrl, secretKey: keys,
    events: { allowPrivateTargets: config.webhookAllowPrivateTargets ?? false, retentionDays: config.eventRetentionDays ?? 30 },
    ssoMetadata: { allowPrivateTargets: config.ssoMetadataAllowPrivateTargets ?? false },
    oidcMaxAccountsClaimBytes: config.oidcMaxAccountsClaimBytes,
  });
  return {
    db, store, services, keyring: keys,
    async migrate() {
      let applied: string[];
      try {
        applied = await migrateLatest(db);
      } catch (error) {
        // An unreachable database becomes database_unavailable, so callers can wait and retry.
        rethrowDbError(error);
      }
      if (adoptLegacyKey) {
        // First start with a generated key over data an older version sealed with its fixed key:
        // move those secrets to the new key now, so the fixed key is never needed again.
        const tables = await reencryptSecrets(store, keys);
        adoptLegacyKey = false;
        const moved = Object.values(tables).reduce((n, t) => n + t.reencrypted, 0);
        if (moved > 0) logger.warn('re-encrypted secrets sealed with the former fixed key under the generated key', { reencrypted: moved });
      }
      return applied;
    },
    deliverMail: () => mailer.flush(),
    instrument(metrics) {
      metrics.observePool(() => poolStats(db));
      onQueryError(db, () => metrics.queryError());
      metrics.observeOutbox(() => outboxBacklog(db, clock.now()));
      metrics.registerQueue('user_import', () => userImportBacklog(db, clock.now()));
      metrics.registerQueue('webhook_delivery', () => webhookDeliveryBacklog(db, clock.now()));
    },
    sweeper: (settings, metrics) => createSweeper({ store: sweeperStore(db), clock, logger, settings, checks: housekeepingChecks(services), ...(metrics && { metrics }) }),
    async health() {
      await store.ping();
      if (!(await migrationsCurrent(db))) throw new DomainError('database_unavailable', 'Migrations are pending.');
    },
    async close() {
      try {
        // Mail queued by this process is being delivered already (after commit): let it finish.
        // No new round starts here, so a CLI facing an unreachable database reports one error.
        await mailer.idle();
        mailer.close();
        await db.destroy();
      } finally {
        lock?.release();
      }
    },
  };
}

/**
 * SECRET_KEY / SECRET_KEYS when set (config requires one with DATABASE_URL); else, on the embedded
 * database, the random key kept in DATA_DIR/secret.key, generated on first start.
 */
function secretKeyring(config: Config, logger: Logger): { keys: Keyring; adoptLegacyKey: boolean } {
  if (config.secretKeys.length > 0) return { keys: keyring(config.secretKeys), adoptLegacyKey: false };
  if (config.databaseUrl) throw new Error('SECRET_KEY is required with DATABASE_URL');
  const { key, file, created } = loadOrCreateKeyFile(config.dataDir);
  if (!created) return { keys: keyring([key]), adoptLegacyKey: false };
  logger.info('generated the secret key of the embedded database; back it up with DATA_DIR', { file });
  // Until migrate() re-encrypts them, secrets an older version sealed with its fixed key stay readable.
  return { keys: keyring([key, LEGACY_FIXED_KEY]), adoptLegacyKey: true };
}
