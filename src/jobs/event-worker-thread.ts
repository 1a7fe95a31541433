/**
 * On PostgreSQL the event worker (jobs/event-worker.ts) runs in a worker thread of its own, with
 * its own small connection pool: sequencing and the webhook sends of an endpoint's queue (one at a
 * time, in order) then use the machine's second core instead of sharing the request thread with
 * the changes that make the events (bench/README.md, "Lifecycle events", has the figures). The
 * embedded database lives in this thread's memory, so there the worker stays in-process.
 *
 * The thread is supervised: if it dies (it should not: the poll loop logs and retries a failed
 * round), this side logs it and starts another, after a second, and twice as long each time a
 * thread dies within a minute of its start; the dead thread's leases lapse and the new one
 * resends, as after an instance's crash. `stop()` lets the runs in flight finish, as the
 * in-process worker's does.
 */
import { Worker } from 'node:worker_threads';
import type { Logger, LogLevel } from '../logger.js';

/** What the thread needs to build its worker (nothing else of the configuration crosses). */
export interface EventThreadSettings {
  readonly databaseUrl: string;
  readonly dbTimeoutMs: number;
  /** The keys that open webhook secrets (primary first), as the process's keyring holds them. */
  readonly secretKeys: readonly Buffer[];
  readonly allowPrivateTargets: boolean;
  readonly retentionDays: number;
  readonly logLevel: LogLevel;
  /** Connections of the thread's pool: the worker's lanes and the sequencer (default 5). */
  readonly poolMax?: number;
  /** Idle poll interval (default the worker's). */
  readonly pollMs?: number;
}

/** The first restart's delay; it doubles while threads die within MAX_RESTART_MS of their start, up to MAX_RESTART_MS. */
const RESTART_MS = 1000;
const MAX_RESTART_MS = 60_000;

const entry = new URL(`./event-worker-thread-entry${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/**
 * A thread running the entry. From dist/ it is plain JavaScript. From sources (tests and
 * `node --import tsx src/main.ts`) the thread registers tsx first: Node 20 does not carry the
 * parent's module hooks into worker threads.
 */
function startThread(settings: EventThreadSettings): Worker {
  if (entry.pathname.endsWith('.js')) return new Worker(entry, { workerData: settings });
  const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(boot, { eval: true, workerData: settings });
}

/** The server's event worker, in a thread or in process: started once, stopped on drain after its runs in flight. */
export interface BackgroundEventWorker {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createEventWorkerThread(settings: EventThreadSettings, logger: Logger): BackgroundEventWorker {
  let worker: Worker | undefined;
  let stopping = false;
  let restart: NodeJS.Timeout | undefined;

  let delay = RESTART_MS;
  const spawn = () => {
    const thread = startThread(settings);
    const born = Date.now();
    worker = thread;
    thread.on('error', (error) => logger.error('event worker thread failed', { error }));
    thread.on('exit', (code) => {
      if (worker === thread) worker = undefined;
      if (stopping) return;
      const wait = Date.now() - born > MAX_RESTART_MS ? RESTART_MS : delay;
      delay = Math.min(wait * 2, MAX_RESTART_MS);
      logger.error('event worker thread exited; starting another', { code, inMs: wait });
      restart = setTimeout(spawn, wait);
      restart.unref();
    });
  };

  return {
    /** Starts the thread; resolves once its worker runs (the benchmark waits for that; serve() does not). */
    start() {
      if (!worker && !stopping) spawn();
      const thread = worker;
      return new Promise<void>((resolve) => {
        if (!thread) return resolve();
        const onMessage = (message: unknown) => { if (message === 'running') { thread.off('message', onMessage); resolve(); } };
        thread.on('message', onMessage);
        thread.once('exit', () => resolve());
      });
    },
    async stop() {
      stopping = true;
      clearTimeout(restart);
      const thread = worker;
      if (!thread) return;
      const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
      thread.postMessage('stop');
      await exited;
    },
  };
}
