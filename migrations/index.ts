/**
 * The ordered list of migrations. Listed statically (not read from disk) so the same code runs
 * from TypeScript sources under jest and from dist/ in production. Append new files here.
 */
import type { Knex } from 'knex';
import * as createFoundation from './20261123000000_create_foundation.js';
import * as createScim from './20261123010000_create_scim.js';
import * as createSso from './20261123020000_create_sso.js';
import * as bindSsoLogins from './20261207010000_bind_sso_logins.js';
import * as createSignInLimits from './20261207020000_create_sign_in_limits.js';
import * as leaseMailOutbox from './20261207030000_lease_mail_outbox.js';
import * as createLinkPages from './20261207050000_create_link_pages.js';
import * as createApiClients from './20261207100000_create_api_clients.js';
import * as createRoleAssignments from './20261207110000_create_role_assignments.js';
import * as indexUserSearch from './20261207120000_index_user_search.js';
import * as createSsoTestResults from './20261207140000_create_sso_test_results.js';
import * as createUserImportJobs from './20261207150000_create_user_import_jobs.js';
import * as indexMemberSearch from './20261208300000_index_member_search.js';
import * as createHousekeeping from './20261208400000_create_housekeeping.js';
import * as createOidcApps from './20261208600000_create_oidc_apps.js';
import * as createEventsAndWebhooks from './20261208700000_create_events_and_webhooks.js';
import * as indexWebhookDeliveryBacklog from './20261208900000_index_webhook_delivery_backlog.js';
import * as createSetupLinks from './20261209200000_create_setup_links.js';
import * as createSsoCertificateWarnings from './20261209300000_create_sso_certificate_warnings.js';
import * as narrowOwnerCheckTrigger from './20261210300000_narrow_owner_check_trigger.js';
import * as indexScimEmails from './20261210400000_index_scim_emails.js';

export interface Migration {
  readonly name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

export const migrations: readonly Migration[] = [
  { name: '20261123000000_create_foundation', ...createFoundation },
  { name: '20261123010000_create_scim', ...createScim },
  { name: '20261123020000_create_sso', ...createSso },
  { name: '20261207010000_bind_sso_logins', ...bindSsoLogins },
  { name: '20261207020000_create_sign_in_limits', ...createSignInLimits },
  { name: '20261207030000_lease_mail_outbox', ...leaseMailOutbox },
  { name: '20261207050000_create_link_pages', ...createLinkPages },
  { name: '20261207100000_create_api_clients', ...createApiClients },
  { name: '20261207110000_create_role_assignments', ...createRoleAssignments },
  { name: '20261207120000_index_user_search', ...indexUserSearch },
  { name: '20261207140000_create_sso_test_results', ...createSsoTestResults },
  { name: '20261207150000_create_user_import_jobs', ...createUserImportJobs },
  { name: '20261208300000_index_member_search', ...indexMemberSearch },
  { name: '20261208400000_create_housekeeping', ...createHousekeeping },
  { name: '20261208600000_create_oidc_apps', ...createOidcApps },
  { name: '20261208700000_create_events_and_webhooks', ...createEventsAndWebhooks },
  { name: '20261208900000_index_webhook_delivery_backlog', ...indexWebhookDeliveryBacklog },
  { name: '20261209200000_create_setup_links', ...createSetupLinks },
  { name: '20261209300000_create_sso_certificate_warnings', ...createSsoCertificateWarnings },
  { name: '20261210300000_narrow_owner_check_trigger', ...narrowOwnerCheckTrigger },
  { name: '20261210400000_index_scim_emails', ...indexScimEmails },
];
