/**
 * Removing a domain from an organization, and saying first what that changes.
 *
 * Rules: D4 (a removed verified domain becomes free for another organization to verify),
 * D6 (its policy stops applying: people with that email can again sign up elsewhere or create
 * their own organization), S4, U5/S7 (SSO no longer signs in its addresses and enforcement on it
 * ends: its members sign in with a password again), D7 (the organization can no longer invite, provision or import people on it).
 * An unverified domain, or a verified one no member uses, is removed at once; a verified one with
 * members needs the operator or administrator to confirm (`force`), so nobody removes it by mistake.
 */
import type { Rejection } from './decision.js';
import { reject } from './decision.js';
import type { DomainPolicy, DomainSnapshot } from './types.js';

/** What removing a domain changes. */
export interface DomainRemovalSummary {
  readonly domain: string;
  readonly verified: boolean;
  /** Members of the organization whose email is exactly on this domain (D5). */
  readonly membersOnDomain: number;
  /** U5: SSO enforcement on the domain ends with it. */
  readonly ssoEnforced: boolean;
  /** D6: the policy that stops applying. */
  readonly policy: DomainPolicy;
  /** Plain sentences for a person. */
  readonly changes: readonly string[];
}

/** Result of {@link decideDomainRemoval}. */
export type DomainRemovalDecision =
  | { readonly kind: 'remove'; readonly summary: DomainRemovalSummary }
  | (Rejection<'domain_in_use'> & { readonly summary: DomainRemovalSummary });

/** D4, D6, U5, D7: may `domain` be removed now? A verified domain with members needs `force`. */
export function decideDomainRemoval(domain: DomainSnapshot, membersOnDomain: number, force: boolean): DomainRemovalDecision {
  const summary = summarise(domain, membersOnDomain);
  if (!domain.verified || membersOnDomain === 0 || force) return { kind: 'remove', summary };
  return {
    ...reject(
      'domain_in_use',
      `${domain.name} is verified and ${membersOnDomain} member${membersOnDomain === 1 ? ' uses' : 's use'} it. Removing it: `
        + `${summary.changes.join(' ')} To remove it anyway, repeat with --force (in the API: force=true).`,
    ),
    summary,
  };
}

function summarise(domain: DomainSnapshot, membersOnDomain: number): DomainRemovalSummary {
  const changes: string[] = [];
  if (domain.verified) {
    changes.push(`${membersOnDomain} member${membersOnDomain === 1 ? '' : 's'} with ${domain.name} addresses stay in the organization, `
      + `but nobody new can be invited, provisioned by SCIM or imported with such an address.`);
    changes.push(`Single sign-on no longer signs in ${domain.name} addresses (S4): they sign in with a password.`);
    if (domain.ssoEnforced) changes.push('Single sign-on enforcement on the domain ends.');
    changes.push(`The ${domain.policy.replace('_', '-')} policy stops applying, and another organization may verify ${domain.name}.`);
  } else {
    changes.push(`${domain.name} was never verified, so nothing else changes.`);
  }
  return { domain: domain.name, verified: domain.verified, membersOnDomain, ssoEnforced: domain.ssoEnforced, policy: domain.policy, changes };
}
