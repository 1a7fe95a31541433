/**
 * Registering and verifying a domain for an organization, and choosing its policy.
 *
 * Rules: D1 (normal form), D2 (common mailbox domains refused), D3 (verified only when the exact
 * TXT value is present), D4 (one verifying organization per domain; a subdomain is a separate
 * domain), D6 (policy of a verified domain; Restricted by default).
 *
 * The verification token is random, so the service creates it and calls `txtRecordFor`.
 */
import type { Rejection } from './decision.js';
import { reject } from './decision.js';
import { isCommonDomain } from './common-domains.js';
import { decideTxtVerification, normaliseDomain } from './domains.js';
import type { DomainPolicy, DomainSnapshot } from './types.js';
import { DEFAULT_DOMAIN_POLICY, DOMAIN_POLICIES } from './types.js';

/** Input of {@link decideDomainRegistration}. */
export interface DomainRegistrationInput {
  /** What the administrator typed; normalised here (D1). */
  readonly domain: string;
  readonly orgSid: string;
  /** The domains this organization already registered (verified or not). */
  readonly orgDomains: readonly DomainSnapshot[];
  /** Verified domains of any organization that may share the name; only exact names count (D4). */
  readonly verifiedDomains: readonly DomainSnapshot[];
}

/** Result of {@link decideDomainRegistration}. */
export type DomainRegistrationDecision =
  | { readonly kind: 'register'; readonly domain: string; readonly policy: DomainPolicy }
  | Rejection<'invalid_domain' | 'common_domain' | 'domain_exists' | 'domain_claimed'>;

/**
 * D1, D2, D4: may this organization register `domain`? On success the domain is stored
 * unverified with the default Restricted policy (D6) and a TXT record to publish (D3).
 */
export function decideDomainRegistration(input: DomainRegistrationInput): DomainRegistrationDecision {
  const normal = normaliseDomain(input.domain);
  if (!normal.ok) return reject(normal.code, normal.message);
  const domain = normal.domain;
  if (isCommonDomain(domain)) return commonDomain(domain);
  if (input.orgDomains.some((d) => d.orgSid === input.orgSid && d.name === domain)) {
    return reject('domain_exists', `${domain} is already registered for your organization.`);
  }
  if (claimedElsewhere(domain, input.orgSid, input.verifiedDomains)) return claimed(domain);
  return { kind: 'register', domain, policy: DEFAULT_DOMAIN_POLICY };
}

/** Input of {@link decideDomainVerification}. */
export interface DomainVerificationInput {
  /** This organization's registration of the domain. */
  readonly domain: DomainSnapshot;
  /** Verified domains of any organization that may share the name; only exact names count (D4). */
  readonly verifiedDomains: readonly DomainSnapshot[];
  /** What the DNS TXT lookup of `txtRecordFor(domain).name` returned: records as arrays of chunks. */
  readonly txtRecords: readonly (readonly string[])[];
  /** `txtRecordFor(domain, token).value`. */
  readonly expectedValue: string;
}

/** Result of {@link decideDomainVerification}. */
export type DomainVerificationDecision =
  | { readonly kind: 'verify'; readonly domain: string }
  | { readonly kind: 'already_verified'; readonly domain: string }
  | Rejection<'common_domain' | 'domain_claimed' | 'dns_txt_missing'>
  | (Rejection<'dns_txt_mismatch'> & { readonly found: readonly string[] });

/**
 * D2, D3, D4: does the TXT lookup prove the organization controls the domain, and is nobody
 * else holding it verified? A subdomain verified elsewhere does not matter: 'stage.corporate.com'
 * and 'corporate.com' are separate domains.
 */
export function decideDomainVerification(input: DomainVerificationInput): DomainVerificationDecision {
  const { name, orgSid } = input.domain;
  if (isCommonDomain(name)) return commonDomain(name);
  if (claimedElsewhere(name, orgSid, input.verifiedDomains)) return claimed(name);
  if (input.domain.verified) return { kind: 'already_verified', domain: name };
  const txt = decideTxtVerification(input.txtRecords, input.expectedValue);
  return txt.kind === 'verified' ? { kind: 'verify', domain: name } : txt;
}

/** Result of {@link decideDomainPolicyChange}. */
export type DomainPolicyDecision =
  | { readonly kind: 'set'; readonly domain: string; readonly policy: DomainPolicy }
  | { readonly kind: 'unchanged'; readonly domain: string; readonly policy: DomainPolicy }
  | Rejection<'invalid_input' | 'domain_not_verified'>;

/** D6: a policy applies to a verified domain only, and must be one of the three policies. */
export function decideDomainPolicyChange(domain: DomainSnapshot, policy: string): DomainPolicyDecision {
  const wanted = DOMAIN_POLICIES.find((p) => p === policy);
  if (wanted === undefined) {
    return reject('invalid_input', 'Choose a domain policy: restricted, auto_enrollment or blocked.');
  }
  if (!domain.verified) {
    return reject('domain_not_verified', `Verify ${domain.name} before choosing its policy.`);
  }
  return wanted === domain.policy
    ? { kind: 'unchanged', domain: domain.name, policy: wanted }
    : { kind: 'set', domain: domain.name, policy: wanted };
}

function claimedElsewhere(domain: string, orgSid: string, verified: readonly DomainSnapshot[]): boolean {
  return verified.some((d) => d.verified && d.name === domain && d.orgSid !== orgSid);
}

function commonDomain(domain: string): Rejection<'common_domain'> {
  return reject(
    'common_domain',
    `${domain} is a public email provider, so no organization can register it. Register a domain your `
      + 'organization owns, like corporate.com. People with these addresses can still create their own organization.',
  );
}

function claimed(domain: string): Rejection<'domain_claimed'> {
  return reject(
    'domain_claimed',
    `${domain} is already verified by another organization. If it belongs to you, the service operator can find that `
      + `organization (orgward domain holder ${domain}) and remove the domain from it (orgward domain remove --org <its SID> ${domain} --force); `
      + 'then register and verify it here.',
  );
}
