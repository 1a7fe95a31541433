/**
 * The store: repositories bound either to the pool (reads) or to one transaction (every write).
 * Services receive a Store and never see knex; the repositories' types are their interface.
 */
import type { Knex } from 'knex';
import type { Db } from './db.js';
import { rethrowDbError } from './db-errors.js';
import { accountStore } from './accounts.js';
import { auditLogStore } from './audit-log.js';
import { domainStore } from './domains.js';
import { invitationStore } from './invitations.js';
import { mailOutboxStore } from './mail-outbox.js';
import { mergeRequestStore } from './merge-requests.js';
import { oneTimeTokenStore } from './one-time-tokens.js';
import { organizationStore } from './organizations.js';
import { sessionStore } from './sessions.js';
import { userStore } from './users.js';
import { scimAccessStore } from './scim-access.js';
import { scimGroupStore } from './scim-groups.js';
import { scimTokenStore } from './scim-tokens.js';
import { scimUserStore } from './scim-users.js';
import { ssoConnectionStore } from './sso-connections.js';
import { ssoTestResultStore } from './sso-test-results.js';
import { ssoIdentityStore } from './sso-identities.js';
import { ssoLoginStateStore } from './sso-login-state.js';
import { signInFactorStore } from './sso-sign-in.js';
import { signupVerificationStore } from './signup-verifications.js';
import { accountImportRequestStore } from './account-import-requests.js';
import { signInBackoffStore } from './sign-in-backoff.js';
import { createRateLimiter, type RateLimiter, type RateLimitPolicy } from './rate-limits.js';
export type { RateLimiter, RateLimitPolicy, RateLimitResult } from './rate-limits.js';
import { sealedColumnStore } from './sealed-columns.js';
import { bulkImportStore } from './bulk-import.js';
import { apiClientStore } from './api-clients.js';
import { oidcPayloadStore } from './oidc-payloads.js';
import { idempotencyKeyStore } from './idempotency-keys.js';
import { roleStore } from './roles.js';
import { roleAssignmentStore } from './role-assignments.js';
import { userImportJobStore } from './user-import-jobs.js';
import { auditRetentionStore } from './audit-retention.js';
import { accessCheckStore } from './access-checks.js';
import { eventStore } from './events.js';
import { webhookStore } from './webhooks.js';
import { oidcAppStore } from './oidc-apps.js';
import { oidcSigningKeyStore } from './oidc-signing-keys.js';
import { oidcLogoutNoticeStore } from './oidc-session-ends.js';
import { ssoCertificateWarningStore } from './sso-certificate-warnings.js';
import { setupLinkStore } from './setup-links.js';

export function createRepos(db: Knex | Knex.Transaction) {
  return {
    organizations: organizationStore(db),
    users: userStore(db),
    accounts: accountStore(db),
    domains: domainStore(db),
    invitations: invitationStore(db),
    tokens: oneTimeTokenStore(db),
    sessions: sessionStore(db),
    outbox: mailOutboxStore(db),
    audit: auditLogStore(db),
    merges: mergeRequestStore(db),
    scimTokens: scimTokenStore(db),
    scimUsers: scimUserStore(db),
    scimGroups: scimGroupStore(db),
    scimAccess: scimAccessStore(db),
    ssoConnections: ssoConnectionStore(db),
    ssoIdentities: ssoIdentityStore(db),
    ssoTestResults: ssoTestResultStore(db),
    ssoLoginState: ssoLoginStateStore(db),
    signInFactors: signInFactorStore(db),
    signupVerifications: signupVerificationStore(db),
    accountImportRequests: accountImportRequestStore(db),
    signInBackoff: signInBackoffStore(db),
    sealedColumns: sealedColumnStore(db),
    bulkImport: bulkImportStore(db),
    apiClients: apiClientStore(db),
    oidcPayloads: oidcPayloadStore(db),
    idempotencyKeys: idempotencyKeyStore(db),
    roles: roleStore(db),
    roleAssignments: roleAssignmentStore(db),
    userImportJobs: userImportJobStore(db),
    auditRetention: auditRetentionStore(db),
    accessChecks: accessCheckStore(db),
    events: eventStore(db),
    webhooks: webhookStore(db),
    oidcApps: oidcAppStore(db),
    oidcSigningKeys: oidcSigningKeyStore(db),
    oidcLogoutNotices: oidcLogoutNoticeStore(db),
    ssoCertificateWarnings: ssoCertificateWarningStore(db),
    setupLinks: setupLinkStore(db),
  };
}

export type Repos = ReturnType<typeof createRepos>;

export interface Store {
  /** Repositories on the pool, for reads outside a transaction. */
  readonly read: Repos;
  /**
   * Runs `work` in one transaction: everything it writes commits together or not at all.
   * Database errors come out as DomainErrors (constraint → rule code, outage → 503).
   * Callbacks registered with `afterCommit` run once the commit succeeded (mail delivery).
   */
  transaction<T>(work: (repos: Repos, afterCommit: (fn: () => void) => void) => Promise<T>): Promise<T>;
  /** Cheap liveness probe for /healthz. */
  ping(): Promise<void>;
  /** A rate limiter kept in the database, so every instance shares it (store/rate-limits.ts). */
  rateLimiter(name: string, policy: RateLimitPolicy): RateLimiter;
}

export function createStore(db: Db): Store {
  return {
    read: translatingErrors(createRepos(db)),
    async transaction(work) {
      const after: (() => void)[] = [];
      let result;
      try {
        result = await db.transaction((trx) => work(createRepos(trx), (fn) => after.push(fn)));
      } catch (error) {
        rethrowDbError(error);
      }
      for (const fn of after) fn();
      return result;
    },
    rateLimiter: (name, policy) => createRateLimiter(db, name, policy),
    async ping() {
      try {
        await db.raw('select 1');
      } catch (error) {
        rethrowDbError(error);
      }
    },
  };
}

/** Wraps every repository method so that reads outside a transaction translate errors too. */
function translatingErrors(repos: Repos): Repos {
  const wrapped: Record<string, Record<string, unknown>> = {};
  for (const [name, repo] of Object.entries(repos)) {
    wrapped[name] = Object.fromEntries(Object.entries(repo).map(([method, fn]) => [
      method,
      async (...args: unknown[]) => {
        try {
          return await (fn as (...a: unknown[]) => Promise<unknown>).apply(repo, args);
        } catch (error) {
          rethrowDbError(error);
        }
      },
    ]));
  }
  return wrapped as unknown as Repos;
}
