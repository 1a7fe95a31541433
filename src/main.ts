/**
 * Process entry: loadConfig → createRuntime → listen → migrate → createApp serves.
 * The server listens at once and answers 503 until the database is reachable and migrated, so a
 * database that is down at start-up delays serving instead of killing the process.
 * SIGTERM/SIGINT drain: stop accepting, finish in-flight requests, close the pool, exit 0.
 */
import fs from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { createApp } from './app.js';
import { createAppServer } from './http/server.js';
import { loadConfig, ConfigError, type Config } from './config.js';
import { isDomainError } from './errors.js';
import { createLogger, type Logger } from './logger.js';
import { createRuntime, type Runtime } from './runtime.js';
import { describeMailDelivery } from './adapters/mailer.js';
import { createUserImportWorker } from './jobs/user-import-worker.js';
import { createMetrics } from './metrics/registry.js';
import { listenForMetrics } from './metrics/server.js';
import { createEventWorker } from './jobs/event-worker.js';
import { createEventWorkerThread, type BackgroundEventWorker } from './jobs/event-worker-thread.js';
import { createWebhookSender } from './adapters/webhook-target.js';
import { createOidcLogoutWorker } from './jobs/oidc-logout-worker.js';
import { tuneGarbageCollector } from './gc-tuning.js';

const DRAIN_TIMEOUT_MS = 15000;
// Mail is delivered right after the commit that queued it; this retries what failed meanwhile.
const MAIL_RETRY_MS = 60000;
const HEALTH_PATHS = new Set(['/healthz', '/readyz']);

/**
 * Starts the HTTP server; resolves once it listens and migrations are current. The bound port is
 * logged (`orgward listening`, field `port`), which matters with PORT=0.
 */
export async function serve(config: Config, portOverride?: number): Promise<http.Server> {
  // The old generation grows to 1.3x its live size, not 4x, and no site is pretenured (gc-tuning.ts).
  tuneGarbageCollector();
  const logger = createLogger(config.logLevel);
  const runtime = await createRuntime(config, logger);
  // Prometheus series for this process, served on their own listener (METRICS_PORT), never on PORT.
  const metrics = createMetrics({ process: true });
  runtime.instrument(metrics);
  const app = createApp({
    services: runtime.services, health: runtime.health, logger, baseUrl: config.baseUrl, secureCookies: config.secureCookies, metrics,
  });
  // Housekeeping on every instance; one at a time sweeps (jobs/sweeper.ts).
  const sweeper = runtime.sweeper({ intervalMs: config.sweepIntervalMs, maxRows: config.sweepMaxRows, maxMs: config.sweepMaxMs }, metrics);
  let metricsServer: http.Server | undefined;

  let ready = false;
  let stopping = false;
  let mailRetry: NodeJS.Timeout | undefined;
  // On the embedded database, where this process holds DATA_DIR: CLI commands run here (cli/control-server.ts).
  let control: Promise<{ close(): Promise<void> } | undefined> = Promise.resolve(undefined);
  // Bulk imports in the background (B1, B2); stopped first in the drain so a running job is released.
  const importWorker = createUserImportWorker({ userImports: runtime.services.userImports, logger });
  // Lifecycle events (issue 13): sequencing, webhook deliveries and retention, in the background;
  // on PostgreSQL in a thread of their own (jobs/event-worker-thread.ts).
  const eventWorker = config.databaseUrl
    ? createEventWorkerThread({
      databaseUrl: config.databaseUrl, dbTimeoutMs: config.dbTimeoutMs, secretKeys: config.secretKeys, logLevel: config.logLevel,
      allowPrivateTargets: config.webhookAllowPrivateTargets ?? false, retentionDays: config.eventRetentionDays ?? 30,
    }, logger)
    : inProcessEventWorker(runtime, config, logger);
  // Back-channel logout tokens to the product's apps when Orgward ends someone's sessions.
  const logoutWorker = createOidcLogoutWorker({ oidcLogout: runtime.services.oidcLogout, logger });
  const { server, serve: serveApp } = createAppServer();
  serveApp(app, (req, res) => {
    // While draining, tell keep-alive clients to reconnect elsewhere after this response.
    if (stopping) res.setHeader('Connection', 'close');
    if (ready) return app(req, res);
    // Starting: health says so in its own shape, everything else gets the admin-API error body.
    const reason = 'Orgward is starting: the database is not reachable or not migrated yet.';
    const body = HEALTH_PATHS.has((req.url ?? '').split('?')[0]!)
      ? { status: 'unavailable', reason }
      : { error: { code: 'database_unavailable', message: reason } };
    res.writeHead(503, { 'Content-Type': 'application/json; charset=utf-8', 'Retry-After': '5' });
    res.end(JSON.stringify(body));
  });
  server.keepAliveTimeout = 5000;

  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(mailRetry);
    metricsServer?.close();
    logger.info('draining', { signal });
    setTimeout(() => { logger.warn('drain timed out; exiting'); process.exit(1); }, DRAIN_TIMEOUT_MS).unref();
    // close() stops accepting and calls back once in-flight requests have finished.
    // Running CLI commands finish (an import stops after its chunk) before the database closes.
    const controlClosed = control.then((c) => c?.close());
    server.close(() => {
      Promise.all([controlClosed, importWorker.stop(), sweeper.stop(), logoutWorker.stop(), eventWorker.stop()]).then(() => runtime.close()).then(
        () => { logger.info('stopped'); process.exit(0); },
        (error: unknown) => { logger.error('shutdown failed', { error }); process.exit(1); },
      );
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  const port = portOverride ?? config.port;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => { server.off('error', reject); resolve(); });
  }).catch(async (error: unknown) => {
    await runtime.close();
    throw error;
  });
  const address = server.address();
  logger.info('orgward listening', {
    port: typeof address === 'object' && address ? address.port : port,
    database: config.databaseUrl ? 'postgresql' : `embedded (${config.dataDir})`,
  });
  logger.info(describeMailDelivery(config.smtpUrl, !config.production));
  if (config.metricsPort > 0) {
    metricsServer = await listenForMetrics({ port: config.metricsPort, host: config.metricsHost, metrics, logger }).catch(async (error: unknown) => {
      server.close();
      await runtime.close();
      throw error;
    });
  }

  await migrateWhenReachable(runtime, logger, () => stopping);
  if (!stopping) {
    ready = true;
    if (!config.databaseUrl) {
      control = import('./cli/control-server.js').then(({ listenForCommands }) => listenForCommands({ runtime, config, logger }));
      await control;
    }
    logger.info('ready');
    void runtime.deliverMail();
    mailRetry = setInterval(() => void runtime.deliverMail(), MAIL_RETRY_MS);
    mailRetry.unref();
    importWorker.start();
    sweeper.start();
    void eventWorker.start();
    logoutWorker.start();
  }
  return server;
}

/** The event worker in this thread, with its webhook sender (the embedded database's only process). */
function inProcessEventWorker(runtime: Runtime, config: Config, logger: Logger): BackgroundEventWorker {
  const sender = createWebhookSender({ allowPrivate: config.webhookAllowPrivateTargets ?? false });
  const worker = createEventWorker({ events: runtime.services.events, delivery: runtime.services.webhookDelivery, sender, logger });
  return { start: async () => worker.start(), stop: () => worker.stop().then(() => sender.close()) };
}

/**
 * Retries while the database is unreachable (an outage at start-up) or while another instance
 * holds knex's migration lock (several instances starting at once); any other failure is fatal.
 */
async function migrateWhenReachable(runtime: Runtime, logger: Logger, stopping: () => boolean): Promise<void> {
  for (let delay = 500; !stopping(); delay = Math.min(delay * 2, 10000)) {
    try {
      const applied = await runtime.migrate();
      if (applied.length > 0) logger.info('migrations applied', { applied });
      return;
    } catch (error) {
      if (isDomainError(error) && error.kind === 'unavailable' && error.code !== 'database_missing') {
        logger.warn('database unreachable; retrying', { inMs: delay, reason: error.message });
      } else if ((error as Error).name === 'MigrationLocked') {
        logger.warn('another instance is migrating; waiting', {
          inMs: delay, hint: 'if none is, a crashed migration left the lock: UPDATE knex_migrations_lock SET is_locked = 0',
        });
      } else {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return fs.realpathSync(script) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  try {
    await serve(loadConfig(process.env));
  } catch (error) {
    process.stderr.write(`orgward: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  }
}
