import type { Knex } from 'knex';
import type { SignInCounters } from '../rules/sign-in-lockout.js';

export const SIGN_IN_BACKOFF = 'sign_in_backoff';
export type BackoffScope = 'password' | 'second_factor';

/**
 * Back-off counters (rules/sign-in-lockout.ts), shared by every instance. `lock` creates missing
 * rows and locks them in a fixed order (so two attempts never deadlock), for the decision to be
 * taken on counters no parallel attempt can change meanwhile.
 */
export function signInBackoffStore(db: Knex | Knex.Transaction) {
  return {
    async lock(scope: BackoffScope, subject: string, clients: readonly string[]): Promise<Map<string, SignInCounters>> {
      const keys = [...new Set(clients)].sort();
      await db(SIGN_IN_BACKOFF).insert(keys.map((client) => ({ scope, subject, client }))).onConflict(['scope', 'subject', 'client']).ignore();
      const rows = await db(SIGN_IN_BACKOFF).where({ scope, subject }).whereIn('client', keys).orderBy('client').forUpdate()
        .select('client', 'failures', 'locked_until');
      return new Map(rows.map((r: { client: string; failures: number; locked_until: Date | null }) =>
        [r.client, { failedSignIns: r.failures, lockedUntil: r.locked_until }]));
    },
    async save(scope: BackoffScope, subject: string, client: string, counters: SignInCounters, now: Date): Promise<void> {
      await db(SIGN_IN_BACKOFF).where({ scope, subject, client })
        .update({ failures: counters.failedSignIns, locked_until: counters.lockedUntil, updated_at: now });
    },
    /** Forgets every counter of a subject (a completed password reset starts afresh). */
    async clear(scope: BackoffScope, subject: string): Promise<void> {
      await db(SIGN_IN_BACKOFF).where({ scope, subject }).delete();
    },
  };
}
