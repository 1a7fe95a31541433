/**
 * Warns about IdP signing certificates of SAML connections that expire within 30 days (issue 13:
 * `sso_connection.certificate_expiring`; the window and what a warning says are
 * rules/sso-certificate-expiry.ts). Run by housekeeping (jobs/housekeeping-checks.ts), on any
 * instance: each connection and certificate is warned about once, because the warning is recorded
 * (sso_certificate_warnings) in the transaction that writes its event, and a record already there
 * makes the next run skip it. A certificate replaced by a rotation is a new one and is warned
 * about in its turn.
 */
import { X509Certificate } from 'node:crypto';
import { planCertificateWarnings, type TrustedCertificate } from '../rules/sso-certificate-expiry.js';
import type { SsoConnectionRecord } from '../store/sso-connections.js';
import { audit } from './context.js';
import type { ServiceDeps } from './index.js';

const PAGE = 200;

/** The audit action whose event is `sso_connection.certificate_expiring` (rules/event-types.ts). */
export const CERTIFICATE_EXPIRING = 'sso.certificate_expiring';

/** The connection's trusted certificates; one that cannot be read (never stored so: S1 checks them) is left out. */
function trusted(c: SsoConnectionRecord): TrustedCertificate[] {
  return c.idpCertificates.flatMap((pem) => {
    try {
      const x = new X509Certificate(pem);
      return [{ fingerprint: x.fingerprint256, notAfter: new Date(x.validTo) }];
    } catch {
      return [];
    }
  });
}

export function createSsoCertificateExpiryService(deps: Pick<ServiceDeps, 'store' | 'clock'>) {
  const { store, clock } = deps;

  /** Warns about one connection's certificates not warned about yet; how many warnings it wrote. */
  async function warnConnection(connectionId: string): Promise<number> {
    return store.transaction(async (repos) => {
      // Planned again under the connection's lock: a certificate removed meanwhile is not warned about.
      const c = await repos.ssoConnections.lock(connectionId);
      if (!c) return 0;
      const now = clock.now();
      let written = 0;
      for (const w of planCertificateWarnings(trusted(c), now)) {
        if (!(await repos.ssoCertificateWarnings.record({ connectionId: c.id, orgSid: c.orgSid, fingerprint: w.fingerprint, notAfter: w.notAfter, at: now }))) continue;
        await audit(repos, { kind: 'system' }, {
          orgSid: c.orgSid, action: CERTIFICATE_EXPIRING, target: c.id,
          after: {
            connectionId: c.id, idpEntityId: c.idpEntityId, enabled: c.enabled, fingerprint: w.fingerprint, notAfter: w.notAfter.toISOString(),
            daysLeft: w.daysLeft, expired: w.expired, replacementTrusted: w.replacementTrusted,
          },
        });
        written += 1;
      }
      return written;
    });
  }

  return {
    /**
     * One pass over every SAML connection: a warning (and its event) for each certificate that
     * expires within the window and was not warned about before. Returns how many were written.
     * Connections with nothing new to warn about are only read.
     */
    async warnExpiring(): Promise<number> {
      let written = 0;
      for (let after: string | null = null; ;) {
        const page = await store.read.ssoConnections.listSamlPage(after, PAGE);
        const now = clock.now();
        const due = page.map((c) => ({ id: c.id, warnings: planCertificateWarnings(trusted(c), now) })).filter((d) => d.warnings.length > 0);
        // Connections whose expiring certificates were all warned about are not locked again.
        const warned = await store.read.ssoCertificateWarnings.warnedOf(due.map((d) => d.id));
        for (const d of due) {
          if (d.warnings.some((w) => !warned.has(`${d.id} ${w.fingerprint}`))) written += await warnConnection(d.id);
        }
        if (page.length < PAGE) return written;
        after = page[page.length - 1]!.id;
      }
    },
  };
}

export type SsoCertificateExpiryService = ReturnType<typeof createSsoCertificateExpiryService>;
