/**
 * The password paths closed by SSO enforcement (U5, S7): sign-up and sign-in with a password,
 * password-reset requests and invitation acceptance are refused with sso_required when the email's
 * domain is verified by an organization that enforces SSO. The decision is rules/sso.ts's.
 */
import type { Rejection } from '../rules/decision.js';
import { emailDomain } from '../rules/domains.js';
import { decidePasswordSignIn, type PasswordPath } from '../rules/sso.js';
import type { Repos } from '../store/index.js';
import { fail } from './context.js';
import { domainSnapshot } from './enrollment.js';

/** The sso_required refusal for `email` on `path`, or null when passwords are fine. */
export async function ssoRefusal(repos: Repos, email: string, path: PasswordPath): Promise<Rejection<'sso_required'> | null> {
  const domain = emailDomain(email);
  const verified = domain === null ? undefined : await repos.domains.findVerified(domain);
  const decision = decidePasswordSignIn({ email, verifiedDomain: verified ? domainSnapshot(verified) : null, path });
  return decision.kind === 'reject' ? decision : null;
}

/** Throws sso_required when `email` must use SSO; otherwise returns. */
export async function refuseWhenSsoEnforced(repos: Repos, email: string, path: PasswordPath): Promise<void> {
  const refusal = await ssoRefusal(repos, email, path);
  if (refusal) fail(refusal);
}
