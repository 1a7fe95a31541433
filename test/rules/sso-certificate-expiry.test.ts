/** Which IdP certificates to warn about (issue 13: sso_connection.certificate_expiring; S1, S3). */
import { CERTIFICATE_WARNING_DAYS, expiresSoon, planCertificateWarnings } from '../../src/rules/sso-certificate-expiry.js';

const NOW = new Date('2030-03-10T12:00:00.000Z');
const DAY = 24 * 60 * 60 * 1000;
const at = (days: number, ms = 0) => new Date(NOW.getTime() + days * DAY + ms);

describe('planCertificateWarnings (S1, S3)', () => {
  it(`warns within ${CERTIFICATE_WARNING_DAYS} days, the boundary included, and not a millisecond before`, () => {
    expect(expiresSoon(at(30), NOW)).toBe(true);
    expect(expiresSoon(at(30, 1), NOW)).toBe(false);
    expect(planCertificateWarnings([{ fingerprint: 'A', notAfter: at(30, 1) }], NOW)).toEqual([]);
    expect(planCertificateWarnings([{ fingerprint: 'A', notAfter: at(30) }], NOW)).toEqual([
      { fingerprint: 'A', notAfter: at(30), daysLeft: 30, expired: false, replacementTrusted: false },
    ]);
  });

  it('counts whole days left (rounded down) and says when a certificate has expired', () => {
    expect(planCertificateWarnings([{ fingerprint: 'A', notAfter: at(9, 3_600_000) }], NOW)[0]).toMatchObject({ daysLeft: 9, expired: false });
    expect(planCertificateWarnings([{ fingerprint: 'A', notAfter: NOW }], NOW)[0]).toMatchObject({ daysLeft: 0, expired: true });
    expect(planCertificateWarnings([{ fingerprint: 'A', notAfter: at(-2) }], NOW)[0]).toMatchObject({ daysLeft: -2, expired: true });
  });

  it('R-S1: a rotation under way (another trusted certificate outlives this one) is said; the newer one is not warned about', () => {
    const old = { fingerprint: 'OLD', notAfter: at(5) };
    const next = { fingerprint: 'NEXT', notAfter: at(400) };
    expect(planCertificateWarnings([old, next], NOW)).toEqual([{ fingerprint: 'OLD', notAfter: at(5), daysLeft: 5, expired: false, replacementTrusted: true }]);
    // Two expiring ones: only the one that expires first has a replacement.
    const sooner = { fingerprint: 'SOONER', notAfter: at(3) };
    expect(planCertificateWarnings([old, sooner], NOW).map((w) => [w.fingerprint, w.replacementTrusted])).toEqual([['OLD', false], ['SOONER', true]]);
  });
});
