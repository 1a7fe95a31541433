import { describe, expect, it } from '@jest/globals';
import {
  decideTxtVerification, emailDomain, emailMatchesDomain, normaliseDomain, normaliseEmail, txtRecordFor,
} from '../../src/rules/index.js';

describe('normaliseDomain (D1)', () => {
  it.each([
    ['corporate.com', 'corporate.com'],
    ['  Corporate.COM  ', 'corporate.com'],
    ['corporate.com.', 'corporate.com'],
    ['CORPORATE.COM.', 'corporate.com'],
    ['Bücher.example', 'xn--bcher-kva.example'],
    ['BÜCHER.example', 'xn--bcher-kva.example'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['例え.jp', 'xn--r8jz45g.jp'],
    ['example。com', 'example.com'],
    ['stage.corporate.com', 'stage.corporate.com'],
    ['my-company.co.uk', 'my-company.co.uk'],
    ['123.example.org', '123.example.org'],
    [`${'a'.repeat(63)}.com`, `${'a'.repeat(63)}.com`],
    [`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`, `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`],
  ])('R-D1: %p → %s', (input, expected) => {
    expect(normaliseDomain(input)).toEqual({ ok: true, domain: expected });
  });

  it.each([
    // input, a fragment of the message, the suggested form (if any)
    ['https://corporate.com', 'without "http://"', 'corporate.com'],
    ['http://www.Corporate.com/about', 'without "http://"', 'corporate.com'],
    ['ftp://corporate.com', 'without "http://"', 'corporate.com'],
    ['alice@corporate.com', 'not an email address', 'corporate.com'],
    ['@corporate.com', 'not an email address', 'corporate.com'],
    ['corporate.com/path', 'without a path', 'corporate.com'],
    ['corporate.com?x=1', 'without a path', 'corporate.com'],
    ['corporate.com:8443', 'without a port', 'corporate.com'],
    ['www.corporate.com', 'without "www."', 'corporate.com'],
    ['WWW.Corporate.com.', 'without "www."', 'corporate.com'],
    ['www.stage.corporate.com', 'without "www."', 'stage.corporate.com'],
    ['ＷＷＷ.corporate.com', 'without "www."', 'corporate.com'],
    ['www.com', 'without "www."', undefined],
  ])('R-D1: %p is refused with the form to enter', (input, fragment, suggestion) => {
    const result = normaliseDomain(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe('invalid_domain');
    expect(result.message).toContain(fragment);
    expect(result.message).toContain(`like ${suggestion ?? 'corporate.com'}`);
    expect(result.suggestion).toBe(suggestion);
  });

  it.each([
    ['', 'Enter a domain name'],
    ['   ', 'Enter a domain name'],
    ['localhost', 'full domain name with a dot'],
    ['com', 'full domain name with a dot'],
    ['1.2.3.4', 'IP addresses'],
    ['10.0.0.1.', 'IP addresses'],
    ['[::1]', 'IP addresses'],
    ['2001:db8::1', 'IP addresses'],
    ['0x7f.0.0.1', 'IP addresses'],
    ['corp..com', 'empty part'],
    ['.corporate.com', 'empty part'],
    ['corporate.com..', 'empty part'],
    ['-corp.com', 'cannot start or end with a hyphen'],
    ['corp-.com', 'cannot start or end with a hyphen'],
    ['corp_net.com', 'only letters, digits, hyphens and dots'],
    ['corp net.com', 'only letters, digits, hyphens and dots'],
    ['*.corp.com', 'only letters, digits, hyphens and dots'],
    ['corp%2ecom', 'only letters, digits, hyphens and dots'],
    ['xn--zz.com', 'only letters, digits, hyphens and dots'],
    ['corp.c0m', 'last part of a domain must be letters'],
    [`${'a'.repeat(64)}.com`, 'at most 63 characters'],
    [`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}.com`, 'at most 253 characters'],
  ])('R-D1: %p → invalid_domain (%s)', (input, fragment) => {
    const result = normaliseDomain(input);
    expect(result).toMatchObject({ ok: false, code: 'invalid_domain' });
    if (!result.ok) expect(result.message).toContain(fragment);
  });

  it('R-D1: a non-string input is refused, not thrown on', () => {
    expect(normaliseDomain(undefined)).toMatchObject({ ok: false, code: 'invalid_domain' });
    expect(normaliseDomain(42)).toMatchObject({ ok: false, code: 'invalid_domain' });
  });

  it('R-D1: normalising is idempotent', () => {
    for (const input of ['Corporate.COM.', 'Bücher.example', 'stage.corporate.com']) {
      const once = normaliseDomain(input);
      if (!once.ok) throw new Error(`expected ${input} to normalise`);
      expect(normaliseDomain(once.domain)).toEqual(once);
    }
  });
});

describe('emails (U1, D5)', () => {
  it.each([
    ['alice@corporate.com', 'alice@corporate.com', 'corporate.com'],
    ['  Alice@Corporate.COM ', 'alice@corporate.com', 'corporate.com'],
    ['Alice+Org2@corporate.com', 'alice+org2@corporate.com', 'corporate.com'],
    ['bob@Bücher.example', 'bob@xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['bob@corporate.com.', 'bob@corporate.com', 'corporate.com'],
    ["o'neil@corporate.com", "o'neil@corporate.com", 'corporate.com'],
  ])('R-U1: normaliseEmail(%p) → %s', (input, email, domainPart) => {
    expect(normaliseEmail(input)).toEqual({ ok: true, email, domain: domainPart });
  });

  it('R-U1: a plus-address is a different identity from the plain address', () => {
    const plain = normaliseEmail('alice@corp.com');
    const plus = normaliseEmail('alice+org2@corp.com');
    expect(plain.ok && plus.ok && plain.email !== plus.email).toBe(true);
  });

  it.each([
    '', 'alice', 'alice@', '@corp.com', 'a@b@corp.com', 'al ice@corp.com', '"alice"@corp.com',
    '.alice@corp.com', 'alice.@corp.com', 'al..ice@corp.com', 'alice@localhost', 'alice@corp..com',
    `${'a'.repeat(65)}@corp.com`,
  ])('R-U1: normaliseEmail(%p) → invalid_input', (input) => {
    const result = normaliseEmail(input);
    expect(result).toMatchObject({ ok: false, code: 'invalid_input' });
    if (!result.ok) expect(result.message).toContain('alex@corporate.com');
  });

  it.each([
    ['x@Stage.Corporate.com', 'stage.corporate.com'],
    ['x@corporate.com.', 'corporate.com'],
    ['weird"@"x@corporate.com', 'corporate.com'],
    ['no-at-sign', null],
    ['x@not a domain', null],
  ])('R-D5: emailDomain(%p) → %p (after the last @, normalised)', (email, expected) => {
    expect(emailDomain(email)).toBe(expected);
  });

  it.each([
    ['x@stage.corporate.com', 'stage.corporate.com', true],
    ['x@stage.corporate.com', 'corporate.com', false],
    ['x@corporate.com', 'stage.corporate.com', false],
    ['x@CORPORATE.com', 'corporate.com', true],
    ['x@corporate.com', 'Corporate.com.', true],
    ['x@corporate.com.evil.com', 'corporate.com', false],
    ['x@evilcorporate.com', 'corporate.com', false],
    ['x@bücher.example', 'xn--bcher-kva.example', true],
    ['corporate.com', 'corporate.com', false],
  ])('R-D5: emailMatchesDomain(%p, %p) → %s (exact match only)', (email, name, expected) => {
    expect(emailMatchesDomain(email, name)).toBe(expected);
  });
});

describe('TXT verification (D3)', () => {
  const record = txtRecordFor('corporate.com', 'tok123');

  it('R-D3: the record to publish has our name and value', () => {
    expect(record).toEqual({ name: '_orgward-verification.corporate.com', value: 'orgward-verification=tok123' });
  });

  it.each<[string, string[][], boolean]>([
    ['the exact value', [['orgward-verification=tok123']], true],
    ['the value among other records', [['v=spf1 -all'], ['orgward-verification=tok123']], true],
    ['the value split into chunks', [['orgward-verif', 'ication=tok', '123']], true],
    ['no records', [], false],
    ['another token', [['orgward-verification=tok124']], false],
    ['a prefix of the value', [['orgward-verification=tok12']], false],
    ['the value plus more', [['orgward-verification=tok123x']], false],
    ['the value in upper case', [['ORGWARD-VERIFICATION=TOK123']], false],
    ['the value with spaces', [[' orgward-verification=tok123 ']], false],
    ['chunks spread over separate records', [['orgward-verification='], ['tok123']], false],
  ])('R-D3: %s → verified %s', (_label, records, verified) => {
    const decision = decideTxtVerification(records, record.value);
    expect(decision.kind).toBe(verified ? 'verified' : 'reject');
    if (decision.kind === 'reject') {
      // No record at the name is "missing"; records with other values are a "mismatch".
      expect(decision.code).toBe(records.length === 0 ? 'dns_txt_missing' : 'dns_txt_mismatch');
      expect(decision.message).toContain(record.value);
    }
  });

  it('R-D3: an empty expected value never verifies', () => {
    expect(decideTxtVerification([['']], '').kind).toBe('reject');
  });
});
