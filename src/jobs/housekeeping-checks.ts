/**
 * The checks housekeeping runs beside the sweep (jobs/sweeper.ts), under its lease, hourly: the
 * IdP signing certificates of SAML connections that expire within 30 days get their
 * `sso_connection.certificate_expiring` event, once each (issue 13). The warning window is days,
 * so an hour's delay costs nothing, and a run does not parse every certificate every minute.
 */
import type { Services } from '../services/index.js';
import type { HousekeepingCheck } from './sweeper.js';

export const CERTIFICATE_CHECK_EVERY_MS = 60 * 60 * 1000;

export function housekeepingChecks(services: Pick<Services, 'ssoCertificateExpiry'>): HousekeepingCheck[] {
  return [{ label: 'sso_certificate_expiry', everyMs: CERTIFICATE_CHECK_EVERY_MS, run: () => services.ssoCertificateExpiry.warnExpiring() }];
}
