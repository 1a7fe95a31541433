/**
 * The background worker of bulk user imports: polls for a job (a cheap index lookup on the open
 * jobs), runs it to the end, then looks for the next at once. Started with the server (main.ts);
 * `stop()` for the SIGTERM drain stops the running import between chunks and releases its job
 * to the queue. Several instances run one worker each: the claim (FOR UPDATE SKIP LOCKED) gives
 * every job to one of them; a job of an instance that died is taken over once its lease expires.
 * Tests drive `runOnce()` directly with a manual clock: no timers, no sleeps.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { UserImportsService } from '../services/user-imports.js';
import { createPollLoop } from './poll-loop.js';

/** How often an idle worker looks for work. */
export const USER_IMPORT_POLL_MS = 2000;

export interface UserImportWorker {
  readonly workerId: string;
  /** Claims and runs at most one job; true when there was one. */
  runOnce(): Promise<boolean>;
  /** Polls every `pollMs` until stopped. */
  start(): void;
  /** Stops polling, stops the running import between chunks (its job goes back to the queue) and waits for it. */
  stop(): Promise<void>;
}

export function createUserImportWorker(deps: { userImports: UserImportsService; logger: Logger; pollMs?: number; workerId?: string }): UserImportWorker {
  const workerId = deps.workerId ?? `worker-${randomUUID()}`;
  const stopping = new AbortController();

  const runOnce = async (): Promise<boolean> => {
    if (stopping.signal.aborted) return false;
    const job = await deps.userImports.runNext(workerId, stopping.signal);
    if (job) deps.logger.info('user import ran', { jobId: job.id, orgSid: job.orgSid, attempt: job.attempts });
    return job !== undefined;
  };
  const loop = createPollLoop({ round: runOnce, intervalMs: deps.pollMs ?? USER_IMPORT_POLL_MS, logger: deps.logger, name: 'user import worker' });

  return {
    workerId,
    runOnce,
    start: () => loop.start(),
    async stop() {
      stopping.abort();
      await loop.stop();
    },
  };
}
