/**
 * L1 retention: how long an organization's audit log is kept. The default is for ever; the
 * operator may set a number of days, after which the sweeper (jobs/sweeper.ts) removes older
 * entries. Changing it is itself audited (and that entry, too, ages out under the new setting).
 */
import { decideAuditRetention } from '../rules/retention.js';
import { decideOperatorOnly } from '../rules/operator.js';
import type { Actor } from '../types.js';
import { audit, authorize, fail } from './context.js';
import type { ServiceDeps } from './index.js';

/** An organization's audit retention: days, or null for ever. */
export interface AuditRetention {
  readonly orgSid: string;
  readonly auditRetentionDays: number | null;
}

export function createAuditRetentionService(deps: Pick<ServiceDeps, 'store'>) {
  const { store } = deps;
  return {
    /** The retention of `orgSid` (anyone who may see the organization). */
    async get(actor: Actor, orgSid: string): Promise<AuditRetention> {
      await authorize(store.read, actor, orgSid, 'view_organization');
      return { orgSid, auditRetentionDays: (await store.read.auditRetention.get(orgSid)) ?? null };
    },

    /** L1: sets the retention to `days` (1..36500) or for ever (null); operator only. */
    async set(actor: Actor, orgSid: string, days: number | null): Promise<AuditRetention> {
      const operator = decideOperatorOnly(actor.kind, 'change how long the audit log is kept');
      if (operator.kind === 'reject') fail(operator);
      const decision = decideAuditRetention(days);
      if (decision.kind === 'reject') fail(decision);
      return store.transaction(async (repos) => {
        await authorize(repos, actor, orgSid, 'manage_settings', {}, true);
        const before = (await repos.auditRetention.get(orgSid)) ?? null;
        if (before !== decision.days) {
          await repos.auditRetention.set(orgSid, decision.days);
          await audit(repos, actor, { orgSid, action: 'organization.audit_retention_changed', target: orgSid, before: { auditRetentionDays: before }, after: { auditRetentionDays: decision.days } });
        }
        return { orgSid, auditRetentionDays: decision.days };
      });
    },
  };
}

export type AuditRetentionService = ReturnType<typeof createAuditRetentionService>;
