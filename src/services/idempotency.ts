/**
 * Idempotency keys of the Organizations API (issue 10): a mutation runs at most once per (caller,
 * key); repeating it with the same request returns the first result. Stored in the database, so
 * every instance shares them. The key is claimed before the mutation runs, so two instances racing
 * on one key cannot both run it; a failed mutation frees the key for a retry.
 */
import { DomainError } from '../errors.js';
import type { ServiceDeps } from './index.js';

/** A stored first result. */
export interface RecordedResult {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

export function createIdempotencyService(deps: ServiceDeps) {
  const repos = deps.store.read;
  return {
    /**
     * Runs `mutation` once for (caller, key); replays its first result (`replayed: true`). Another
     * request under the same key is `idempotency_key_reused` (422); one still running is
     * `idempotency_key_in_progress` (409).
     */
    async once(caller: string, key: string, requestHash: string, mutation: () => Promise<RecordedResult>): Promise<RecordedResult & { replayed: boolean }> {
      if (await repos.idempotencyKeys.claim(caller, key, requestHash)) {
        let result: RecordedResult;
        try {
          result = await mutation();
        } catch (error) {
          // Nothing changed: the key is free again for a retry.
          await repos.idempotencyKeys.release(caller, key);
          throw error;
        }
        await repos.idempotencyKeys.complete(caller, key, result.status, { body: result.body ?? null, headers: result.headers });
        return { ...result, replayed: false };
      }
      const first = await repos.idempotencyKeys.get(caller, key);
      if (!first || first.requestHash !== requestHash) {
        throw new DomainError('idempotency_key_reused', 'This Idempotency-Key was used with a different request. Use a new key for a new request.', { details: { httpStatus: 422 } });
      }
      if (first.status === null) {
        throw new DomainError('idempotency_key_in_progress', 'A request with this Idempotency-Key is still being processed. Retry in a moment.');
      }
      const stored = first.response as { body: unknown; headers: Record<string, string> };
      return { status: first.status, body: stored.body ?? undefined, headers: stored.headers, replayed: true };
    },
  };
}

export type IdempotencyService = ReturnType<typeof createIdempotencyService>;
