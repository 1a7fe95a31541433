/**
 * The loop every background worker shares: a round runs at start and every `intervalMs`, rounds
 * run back to back while the last one found work (a queue drains at once, not one item per
 * interval), only one drain is in flight per process, and a failed round is logged and retried at
 * the next interval. `stop()` ends the polling and waits for the drain in flight.
 */
import type { Logger } from '../logger.js';

export interface PollLoop {
  start(): void;
  stop(): Promise<void>;
  /** True once stop() was called (a round checks it to end early). */
  readonly stopped: boolean;
}

export function createPollLoop(options: {
  /** One round; true when it found work (another round follows at once). */
  round: () => Promise<boolean>;
  intervalMs: number;
  logger: Logger;
  /** Names the worker in the log line of a failed round. */
  name: string;
}): PollLoop {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const drain = () => {
    running ??= (async () => {
      try {
        while (!stopped && (await options.round()));
      } catch (error) {
        if (!stopped) options.logger.warn(`${options.name}: round failed; will retry`, { error });
      } finally {
        running = undefined;
      }
    })();
  };

  return {
    get stopped() { return stopped; },
    start() {
      if (timer || stopped) return;
      drain();
      timer = setInterval(drain, options.intervalMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
