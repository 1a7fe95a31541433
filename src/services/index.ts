/**
 * createServices wires the use cases over one Store. Each service loads what a rule needs, asks the
 * rule, persists the decision in one transaction and writes the audit entry in that transaction.
 */
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/index.js';
import type { TxtLookup } from '../adapters/dns.js';
import type { Mailer } from '../adapters/mailer.js';
import type { SecretKey } from '../security/encryption.js';
import { createAuditLogService } from './audit-log.js';
import { createAuditRetentionService } from './audit-retention.js';
import { createDomainsService } from './domains.js';
import { createInvitationsService } from './invitations.js';
import { createMembersService } from './members.js';
import { createOrganizationsService } from './organizations.js';
import { createPasswordsService } from './passwords.js';
import { createTwoFactorService } from './two-factor.js';
import { createAccountService } from './accounts.js';
import { createHipaaService } from './hipaa.js';
import { createMergeService } from './merges.js';
import { createBulkImportService } from './bulk-import.js';
import { createScimTokensService } from './scim-tokens.js';
import { createScimUsersService } from './scim-users.js';
import { createScimGroupsService } from './scim-groups.js';
import { createSessionService } from './sessions.js';
import { createSignInService } from './sign-in.js';
import { createSsoService } from './sso.js';
import { createSignupService } from './signup.js';
import { createMergeLinks } from './merge-links.js';
import { createAccountImportLinks } from './account-import-links.js';
import { createInvitationLinks } from './invitation-links.js';
import { createResetLinkState } from './reset-link-state.js';
import { createApiClientsService } from './api-clients.js';
import { createIdempotencyService } from './idempotency.js';
import { createOauthStateService } from './oauth-state.js';
import { createRolesService } from './roles.js';
import { createRoleAssignmentsService } from './role-assignments.js';
import { createUserImportsService } from './user-imports.js';
import { createAccessChecksService } from './access-checks.js';
import { createEventsService } from './events.js';
import { createWebhooksService } from './webhooks.js';
import { createWebhookDelivery } from './webhook-delivery.js';
import { createOidcAppsService } from './oidc-apps.js';
import { createOidcKeysService } from './oidc-keys.js';
import { createOidcClaimsService } from './oidc-claims.js';
import { createOidcLogoutService } from './oidc-logout.js';
import { createSsoCertificateExpiryService } from './sso-certificate-expiry.js';
import { createSetupLinksService } from './setup-links.js';
import { createSetupLinkSteps } from './setup-link-steps.js';

export interface ServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly dns: TxtLookup;
  readonly mailer: Mailer;
  readonly logger: Logger;
  /** Public base URL, for links in mail. */
  readonly baseUrl: string;
  /** Key that encrypts secrets at rest. */
  readonly secretKey: SecretKey;
  /** Events and webhooks (issue 13); defaults: private targets refused, 30 days of events. */
  readonly events?: { readonly allowPrivateTargets?: boolean; readonly retentionDays?: number };
  /** IdP metadata fetched from a URL (issue 11); defaults: public https addresses only, 5 s. */
  readonly ssoMetadata?: { readonly allowPrivateTargets?: boolean; readonly timeoutMs?: number };
  /** Above this size (bytes of JSON) the `accounts` claim is left out of tokens (OIDC_MAX_ACCOUNTS_CLAIM_BYTES). */
  readonly oidcMaxAccountsClaimBytes?: number;
}

export function createServices(deps: ServiceDeps) {
  // One session service: sign-in issues sessions through the same object the app checks them with.
  const sessions = createSessionService(deps);
  const oidcKeys = createOidcKeysService(deps);
  const sso = createSsoService(deps);
  const domains = createDomainsService(deps);
  const scimTokens = createScimTokensService(deps);
  return {
    deps,
    organizations: createOrganizationsService(deps),
    domains,
    invitations: createInvitationsService(deps),
    members: createMembersService(deps),
    passwords: createPasswordsService(deps),
    twoFactor: createTwoFactorService(deps),
    auditLog: createAuditLogService(deps),
    auditRetention: createAuditRetentionService(deps),
    accounts: createAccountService(deps),
    hipaa: createHipaaService(deps),
    merges: createMergeService(deps),
    bulkImport: createBulkImportService(deps),
    scimTokens,
    scimUsers: createScimUsersService(deps),
    scimGroups: createScimGroupsService(deps),
    sso,
    sessions,
    signIn: createSignInService(deps, sessions),
    signup: createSignupService(deps),
    mergeLinks: createMergeLinks(deps),
    accountImportLinks: createAccountImportLinks(deps),
    invitationLinks: createInvitationLinks(deps),
    resetLinks: createResetLinkState(deps),
    apiClients: createApiClientsService(deps),
    idempotency: createIdempotencyService(deps),
    oauthState: createOauthStateService(deps),
    roles: createRolesService(deps),
    roleAssignments: createRoleAssignmentsService(deps),
    userImports: createUserImportsService(deps),
    accessChecks: createAccessChecksService(deps),
    events: createEventsService(deps),
    webhooks: createWebhooksService(deps),
    webhookDelivery: createWebhookDelivery(deps),
    oidcApps: createOidcAppsService(deps),
    oidcKeys,
    oidcLogout: createOidcLogoutService(deps, oidcKeys),
    oidcClaims: createOidcClaimsService(deps),
    ssoCertificateExpiry: createSsoCertificateExpiryService(deps),
    setupLinks: createSetupLinksService(deps),
    // What a setup link's holder does, through the same services administrators use (issue 11).
    setupLinkSteps: createSetupLinkSteps(deps, { sso, scimTokens, domains }),
  };
}

export type Services = ReturnType<typeof createServices>;
