/**
 * Domain names and email addresses: one normal form, exact matching, the DNS TXT proof.
 *
 * Rules: D1 (normalisation, refused forms), D3 (TXT record and its exact check),
 * D5 (an email matches a domain only by exact match of its domain part),
 * U1 (emails compared case-insensitively; plus-addresses are distinct users).
 */
import { domainToASCII } from 'node:url';
import type { Invalid, Rejection } from './decision.js';
import { reject } from './decision.js';

const EXAMPLE = 'corporate.com';
const MAX_DOMAIN = 253;
const MAX_LABEL = 63;
const MAX_LOCAL_PART = 64;
const MAX_EMAIL = 254;
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
// ASCII characters a host may contain; anything else ASCII (space, '_', '*', '%', ...) is refused.
const ASCII_OUTSIDE_LDH = /[\u0000-\u002c\u002f\u003a-\u0060\u007b-\u007f]/;
// Local part: printable, no spaces and none of the characters that need quoting (RFC 5322 3.2.3).
const LOCAL_PART = /^[^\s"(),:;<>@[\\\]\u0000-\u001f\u007f]+$/u;

/** Result of {@link normaliseDomain}. `suggestion` is the form we think was meant, when we can tell. */
export type DomainNormalisation =
  | { readonly ok: true; readonly domain: string }
  | (Invalid<'invalid_domain'> & { readonly suggestion?: string });

type HostCheck = { ok: true; domain: string } | { ok: false; message: string };

/**
 * D1: the one normal form of a domain a person types: trimmed, lower-cased, trailing dot removed,
 * internationalised labels in punycode ('Bücher.example' → 'xn--bcher-kva.example').
 * Refuses a scheme, path, port, '@', a leading 'www.', empty labels, labels over 63 or names over
 * 253 characters, characters other than letters, digits and hyphens, single-label names
 * ('localhost') and IP addresses, with a message that shows the form to enter.
 */
export function normaliseDomain(input: unknown): DomainNormalisation {
  const raw = typeof input === 'string' ? input.trim() : '';
  if (raw === '') return invalidDomain(`Enter a domain name, like ${EXAMPLE}.`);
  const suggestion = suggestDomain(raw);
  const like = suggestion ?? EXAMPLE;
  if (SCHEME.test(raw) || raw.includes('://')) {
    return invalidDomain(`Enter the domain only, without "http://" or "https://", like ${like}.`, suggestion);
  }
  if (raw.includes('@')) {
    return invalidDomain(`Enter the domain only, not an email address, like ${like}.`, suggestion);
  }
  if (raw.includes('[') || (raw.match(/:/g) ?? []).length > 1) {
    return invalidDomain(`IP addresses cannot be registered. Enter a domain name, like ${EXAMPLE}.`);
  }
  if (/[/?#\\]/.test(raw)) {
    return invalidDomain(`Enter the domain only, without a path, like ${like}.`, suggestion);
  }
  if (raw.includes(':')) {
    return invalidDomain(`Enter the domain only, without a port number, like ${like}.`, suggestion);
  }
  const host = checkHost(raw);
  if (!host.ok) return invalidDomain(host.message);
  if (host.domain.startsWith('www.')) {
    return invalidDomain(`Enter the domain without "www.", like ${like}.`, suggestion);
  }
  return { ok: true, domain: host.domain };
}

/**
 * The normalised domain part of an email address (after the last '@'), or null when there is no
 * valid one. 'Alice@Corp.COM.' → 'corp.com'. A leading 'www.' is kept: it is simply a domain
 * no organization can register.
 */
export function emailDomain(email: string): string | null {
  const at = email.lastIndexOf('@');
  if (at < 0) return null;
  const host = checkHost(email.slice(at + 1).trim());
  return host.ok ? host.domain : null;
}

/**
 * D5: true only when the email's domain part equals `domain` exactly (both normalised):
 * 'x@stage.corporate.com' matches 'stage.corporate.com', not 'corporate.com'.
 */
export function emailMatchesDomain(email: string, domain: string): boolean {
  const own = emailDomain(email);
  const other = checkHost(domain.trim());
  return own !== null && other.ok && own === other.domain;
}

/** Result of {@link normaliseEmail}. */
export type EmailNormalisation =
  | { readonly ok: true; readonly email: string; readonly domain: string }
  | Invalid;

/**
 * U1: the comparison form of an email: trimmed, lower-cased, domain in punycode. Checks the basic
 * shape (one '@', a local part of 1..64 characters without spaces or quoting, a valid domain).
 * Plus-addresses stay as they are: 'alice+org2@corp.com' is a different user from 'alice@corp.com'.
 */
export function normaliseEmail(input: unknown): EmailNormalisation {
  const raw = typeof input === 'string' ? input.trim() : '';
  const example = `Enter an email address like alex@${EXAMPLE}.`;
  if (raw === '') return { ok: false, code: 'invalid_input', message: example };
  const parts = raw.split('@');
  const local = parts[0] ?? '';
  if (parts.length !== 2 || local === '') {
    return { ok: false, code: 'invalid_input', message: `This is not an email address. ${example}` };
  }
  if ([...local].length > MAX_LOCAL_PART || !LOCAL_PART.test(local)
    || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return { ok: false, code: 'invalid_input', message: `The part before "@" is not valid. ${example}` };
  }
  const host = checkHost(parts[1] ?? '');
  if (!host.ok) {
    return { ok: false, code: 'invalid_input', message: `The part after "@" is not a valid domain. ${example}` };
  }
  const email = `${local.toLowerCase()}@${host.domain}`;
  if (email.length > MAX_EMAIL) {
    return { ok: false, code: 'invalid_input', message: `An email address can have at most ${MAX_EMAIL} characters.` };
  }
  return { ok: true, email, domain: host.domain };
}

/** D3: the DNS name under which the verification TXT record is published. */
export const TXT_RECORD_LABEL = '_orgward-verification';
/** D3: what the TXT record's value starts with; the verification token follows. */
export const TXT_VALUE_PREFIX = 'orgward-verification=';

/** D3: a TXT record to publish. */
export interface TxtRecord {
  readonly name: string;
  readonly value: string;
}

/** D3: the TXT record an organization publishes to prove it controls the (normalised) `domain`. */
export function txtRecordFor(domain: string, token: string): TxtRecord {
  return { name: `${TXT_RECORD_LABEL}.${domain}`, value: `${TXT_VALUE_PREFIX}${token}` };
}

/** Result of {@link decideTxtVerification}. */
export type TxtVerificationDecision =
  | { readonly kind: 'verified' }
  | Rejection<'dns_txt_missing'>
  | (Rejection<'dns_txt_mismatch'> & { readonly found: readonly string[] });

/** How many of the values found are reported back (a name may carry many TXT records). */
const MAX_FOUND_REPORTED = 5;
const MAX_FOUND_LENGTH = 300;

/**
 * D3: verified only when one TXT record, its character-strings joined (RFC 7208 3.3: a long
 * value arrives split into chunks of at most 255 octets), equals `expectedValue` exactly.
 * `records` is what a DNS TXT lookup returns (e.g. node:dns `resolveTxt`). No record at the name
 * is dns_txt_missing (not published yet, or not visible yet); records without the exact value are
 * dns_txt_mismatch, with what was found, so the administrator fixes the value instead of waiting.
 */
export function decideTxtVerification(
  records: readonly (readonly string[])[],
  expectedValue: string,
): TxtVerificationDecision {
  if (expectedValue !== '' && records.some((chunks) => chunks.join('') === expectedValue)) {
    return { kind: 'verified' };
  }
  if (records.length === 0) {
    return reject(
      'dns_txt_missing',
      `We did not find a TXT record with the value "${expectedValue}". Publish it at your DNS provider, `
        + 'wait a few minutes for the change to appear, then verify again.',
    );
  }
  const found = records.slice(0, MAX_FOUND_REPORTED).map((chunks) => chunks.join('').slice(0, MAX_FOUND_LENGTH));
  return {
    ...reject(
      'dns_txt_mismatch',
      `The TXT record name has ${records.length === 1 ? 'a record' : `${records.length} records`}, but none has exactly the value "${expectedValue}" `
        + `(found ${found.map((v) => `"${v}"`).join(', ')}). Change the record's value at your DNS provider to the one shown, then verify again.`,
    ),
    found,
  };
}

function invalidDomain(message: string, suggestion?: string): DomainNormalisation {
  return suggestion === undefined
    ? { ok: false, code: 'invalid_domain', message }
    : { ok: false, code: 'invalid_domain', message, suggestion };
}

/** Lower-cases, drops one trailing dot, converts to punycode and checks every DNS limit. */
function checkHost(input: string): HostCheck {
  let host = input.toLowerCase();
  if (host.endsWith('.')) host = host.slice(0, -1);
  const chars = `A domain can contain only letters, digits, hyphens and dots, like ${EXAMPLE}.`;
  if (host === '') return { ok: false, message: `Enter a domain name, like ${EXAMPLE}.` };
  if (ASCII_OUTSIDE_LDH.test(host)) return { ok: false, message: chars };
  if (host.split('.').includes('')) {
    return { ok: false, message: `A domain cannot have an empty part between dots. Enter it like ${EXAMPLE}.` };
  }
  const ascii = domainToASCII(host);
  if (ascii === '' || ASCII_OUTSIDE_LDH.test(ascii) || /[^\u0000-\u007f]/.test(ascii)) {
    return { ok: false, message: chars };
  }
  const labels = ascii.split('.');
  const tld = labels[labels.length - 1] ?? '';
  if (/^[0-9.]+$/.test(host) || /^[0-9.]+$/.test(ascii)) {
    return { ok: false, message: `IP addresses cannot be registered. Enter a domain name, like ${EXAMPLE}.` };
  }
  if (labels.length < 2) {
    return { ok: false, message: `Enter a full domain name with a dot, like ${EXAMPLE}.` };
  }
  if (ascii.length > MAX_DOMAIN) {
    return { ok: false, message: `A domain name can have at most ${MAX_DOMAIN} characters.` };
  }
  if (labels.some((label) => label === '')) {
    return { ok: false, message: `A domain cannot have an empty part between dots. Enter it like ${EXAMPLE}.` };
  }
  if (labels.some((label) => label.length > MAX_LABEL)) {
    return { ok: false, message: `Each part of a domain between dots can have at most ${MAX_LABEL} characters.` };
  }
  if (!labels.every((label) => LDH_LABEL.test(label))) {
    return { ok: false, message: `${chars} A part cannot start or end with a hyphen.` };
  }
  if (!TLD.test(tld)) {
    return { ok: false, message: `The last part of a domain must be letters, like the "com" in ${EXAMPLE}.` };
  }
  return { ok: true, domain: ascii };
}

/** The bare domain we think a URL, email or host:port meant, if it is a valid one. */
function suggestDomain(raw: string): string | undefined {
  let host = raw.replace(SCHEME, '');
  host = host.slice(host.lastIndexOf('@') + 1);
  host = host.split(/[/?#\\]/)[0] ?? '';
  host = host.replace(/:\d*$/, '');
  const checked = checkHost(host);
  if (!checked.ok) return undefined;
  let domain = checked.domain;
  while (domain.startsWith('www.')) domain = domain.slice(4);
  return checkHost(domain).ok ? domain : undefined;
}
