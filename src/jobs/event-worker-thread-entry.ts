/**
 * The event worker's thread (jobs/event-worker-thread.ts): its own pool on the same PostgreSQL
 * database, the events and webhook delivery services over it, and the worker's poll loop; says
 * 'running' once started. On 'stop' it finishes the runs in flight, closes its pool and exits.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createWebhookSender } from '../adapters/webhook-target.js';
import { systemClock } from '../clock.js';
import { createLogger } from '../logger.js';
import { keyring } from '../security/encryption.js';
import { createEventsService } from '../services/events.js';
import { createWebhookDelivery } from '../services/webhook-delivery.js';
import { createDb } from '../store/db.js';
import { createStore } from '../store/index.js';
import { createEventWorker } from './event-worker.js';
import type { EventThreadSettings } from './event-worker-thread.js';

const settings = workerData as EventThreadSettings;
const logger = createLogger(settings.logLevel);
const db = createDb({ databaseUrl: settings.databaseUrl, dataDir: '', poolMax: settings.poolMax ?? 5, timeoutMs: settings.dbTimeoutMs, logger });
const store = createStore(db);
// Buffers cross the thread boundary as Uint8Arrays.
const deps = {
  store, clock: systemClock, logger, secretKey: keyring(settings.secretKeys.map((k) => Buffer.from(k))),
  events: { allowPrivateTargets: settings.allowPrivateTargets, retentionDays: settings.retentionDays },
};
const sender = createWebhookSender({ allowPrivate: settings.allowPrivateTargets });
const worker = createEventWorker({
  events: createEventsService(deps), delivery: createWebhookDelivery(deps), sender, logger, ...(settings.pollMs !== undefined && { pollMs: settings.pollMs }),
});

parentPort!.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  void (async () => {
    await worker.stop();
    sender.close();
    await db.destroy();
    parentPort!.close();
  })();
});
worker.start();
parentPort!.postMessage('running');
