/**
 * Micro-batching of statements: calls made while earlier batches are still running, or in the
 * same turn of the event loop, run as one statement over arrays. IdPs send bursts of concurrent
 * requests; each round trip costs more than the rows, so a burst then costs a few statements
 * instead of one each (and, for writes, a few commits: group commit done before PostgreSQL sees
 * it). Alone, a call waits one setImmediate. Inside a transaction each call runs on its own.
 */
import type { Knex } from 'knex';

const MAX_BATCH = 64;

interface Waiting<I, O> { input: I; resolve(output: O): void; reject(error: unknown): void }

/**
 * `run` answers a batch of inputs, one output per input in the same order. At most `inFlight`
 * batches run at once; calls arriving meanwhile wait and form the next batch.
 */
export function batched<I, O>(run: (inputs: readonly I[]) => Promise<O[]>, inFlight = 4): (input: I) => Promise<O> {
  const pending: Waiting<I, O>[] = [];
  let scheduled = false;
  let running = 0;
  const flush = () => {
    scheduled = false;
    if (pending.length === 0 || running >= inFlight) return;
    const batch = pending.splice(0, MAX_BATCH);
    running++;
    run(batch.map((w) => w.input)).then(
      (outputs) => batch.forEach((w, i) => w.resolve(outputs[i]!)),
      (error: unknown) => batch.forEach((w) => w.reject(error)),
    ).finally(() => {
      running--;
      flush();
    });
    if (pending.length > 0) flush();
  };
  return (input) => new Promise<O>((resolve, reject) => {
    pending.push({ input, resolve, reject });
    if (!scheduled && running < inFlight) {
      scheduled = true;
      setImmediate(flush);
    }
  });
}

const registry = new WeakMap<object, Map<string, unknown>>();

/**
 * One batcher per database handle and purpose; a transaction gets `run` with one input at a time.
 * Reads keep every connection busy (no limit); writes are limited so that the calls arriving
 * meanwhile share the next statement and its commit.
 */
export function batcherFor<I, O>(db: Knex | Knex.Transaction, purpose: string, run: (inputs: readonly I[]) => Promise<O[]>, inFlight = Infinity): (input: I) => Promise<O> {
  if ((db as Knex.Transaction).isTransaction) return async (input) => (await run([input]))[0]!;
  let byPurpose = registry.get(db);
  if (!byPurpose) registry.set(db, (byPurpose = new Map()));
  let batcher = byPurpose.get(purpose) as ((input: I) => Promise<O>) | undefined;
  if (!batcher) byPurpose.set(purpose, (batcher = batched(run, inFlight)));
  return batcher;
}
