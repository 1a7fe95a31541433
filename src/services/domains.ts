/**
 * Domains of an organization: register (D1, D2, D4), verify by DNS TXT record (D3, D4), choose the
 * policy (D6), list and remove (a verified domain in use only with `force`, saying what changes).
 *
 * Registering a name the organization already registered is refused with domain_exists; the
 * error's details carry the TXT record to publish, so a repeated `domain add` still shows it.
 */
import { DomainError } from '../errors.js';
import { decideDomainPolicyChange, decideDomainRegistration, decideDomainVerification } from '../rules/domain-registration.js';
import { decideDomainRemoval, type DomainRemovalSummary } from '../rules/domain-removal.js';
import { normaliseDomain, txtRecordFor } from '../rules/domains.js';
import { decideOperatorOnly } from '../rules/operator.js';
import type { DomainPolicy } from '../rules/types.js';
import { newToken } from '../security/tokens.js';
import type { Repos } from '../store/index.js';
import type { Actor, Domain } from '../types.js';
import { audit, authorize, authorizeStep, fail } from './context.js';
import { domainSnapshot } from './enrollment.js';
import type { ServiceDeps } from './index.js';

/** A registered domain and the TXT record that proves it (D3). */
export interface DomainView {
  readonly domain: string;
  readonly txtName: string;
  readonly txtValue: string;
  readonly verified: boolean;
  readonly verifiedAt: Date | null;
  readonly policy: DomainPolicy;
  readonly ssoEnforced: boolean;
  readonly createdAt: Date;
}

/** A caller's precondition on the locked domain (throws to refuse), e.g. the API's If-Match. */
export type DomainGuard = (locked: DomainView) => void;

/** The result of a successful verification (D3). */
export interface VerifiedDomain {
  readonly domain: string;
  readonly verified: true;
  readonly verifiedAt: Date;
}

/** The view of a stored domain, with its TXT record (D3). */
export const domainView = (d: Domain): DomainView => {
  const txt = txtRecordFor(d.name, d.txtToken);
  return {
    domain: d.name, txtName: txt.name, txtValue: txt.value, verified: d.verifiedAt !== null, verifiedAt: d.verifiedAt,
    policy: d.policy, ssoEnforced: d.ssoEnforced, createdAt: d.createdAt,
  };
};

/** What the audit log records of a domain (the TXT token is left out: L1 keeps tokens out). */
const audited = (d: Domain) => ({ domain: d.name, verifiedAt: d.verifiedAt, policy: d.policy, ssoEnforced: d.ssoEnforced });

/** D1: the normal form, or invalid_domain with the form to enter. */
function domainName(input: string): string {
  const normal = normaliseDomain(input);
  if (!normal.ok) throw new DomainError(normal.code, normal.message, normal.suggestion ? { details: { suggestion: normal.suggestion } } : {});
  return normal.domain;
}

async function registered(repos: Repos, orgSid: string, name: string, lock = false): Promise<Domain> {
  const domain = lock ? await repos.domains.lock(orgSid, name) : await repos.domains.get(orgSid, name);
  if (!domain) throw new DomainError('not_found', `${name} is not registered for this organization. Add it first.`);
  return domain;
}

/** CLI and API spell the policy 'auto-enrollment' or 'auto_enrollment'. */
const policyName = (policy: string): string => (typeof policy === 'string' ? policy.trim().toLowerCase().replace(/-/g, '_') : '');

/** createDomainsService: register, verify, policy, list, remove (D1-D6). */
export function createDomainsService(deps: ServiceDeps) {
  const { store, clock, dns } = deps;

  return {
    /**
     * D1, D2, D4: registers `input` for the organization, unverified and Restricted, with a random
     * TXT token (D3). domain_claimed when another organization holds it verified.
     */
    async add(actor: Actor, orgSid: string, input: string): Promise<DomainView> {
      return store.transaction(async (repos) => {
        await authorizeStep(repos, actor, orgSid, 'manage_domains', 'domain.add', { now: clock.now(), lockLink: true });
        const normal = normaliseDomain(input);
        const claimed = normal.ok ? await repos.domains.findVerified(normal.domain) : undefined;
        const orgDomains = await repos.domains.listByOrg(orgSid);
        const decision = decideDomainRegistration({
          domain: input, orgSid, orgDomains: orgDomains.map(domainSnapshot), verifiedDomains: claimed ? [domainSnapshot(claimed)] : [],
        });
        if (decision.kind === 'reject') {
          const existing = decision.code === 'domain_exists' ? orgDomains.find((d) => normal.ok && d.name === normal.domain) : undefined;
          const view = existing && domainView(existing);
          const suggestion = normal.ok ? undefined : normal.suggestion;
          fail(decision, view ? { domain: view.domain, txtName: view.txtName, txtValue: view.txtValue, verified: view.verified }
            : suggestion ? { suggestion } : undefined);
        }
        const domain = await repos.domains.insert({ orgSid, name: decision.domain, txtToken: newToken() });
        await audit(repos, actor, { orgSid, action: 'domain.added', target: domain.name, after: audited(domain) });
        return domainView(domain);
      });
    },

    /**
     * D3, D4: looks the TXT record up in DNS (outside any transaction), then marks the domain
     * verified when the exact value is there: dns_txt_missing when the name has no TXT record,
     * dns_txt_mismatch (with the values found) when it has others. Two organizations racing
     * for one name: the unique index domains_one_verifying_org lets exactly one win; the other
     * gets domain_claimed.
     */
    async verify(actor: Actor, orgSid: string, input: string): Promise<VerifiedDomain> {
      const name = domainName(input);
      await authorizeStep(store.read, actor, orgSid, 'manage_domains', 'domain.verify', { now: clock.now() });
      const current = await registered(store.read, orgSid, name);
      if (current.verifiedAt) return { domain: current.name, verified: true, verifiedAt: current.verifiedAt };
      const records = await dns.resolveTxt(txtRecordFor(current.name, current.txtToken).name);
      return store.transaction(async (repos) => {
        await authorizeStep(repos, actor, orgSid, 'manage_domains', 'domain.verify', { now: clock.now(), lockLink: true });
        // Re-read: the domain may have been removed and added again (new token) meanwhile.
        const domain = await registered(repos, orgSid, name);
        const expected = txtRecordFor(domain.name, domain.txtToken);
        const claimed = await repos.domains.findVerified(domain.name);
        const decision = decideDomainVerification({
          domain: domainSnapshot(domain), verifiedDomains: claimed ? [domainSnapshot(claimed)] : [], txtRecords: records, expectedValue: expected.value,
        });
        if (decision.kind === 'reject') {
          fail(decision, decision.code === 'dns_txt_missing' ? { txtName: expected.name, txtValue: expected.value }
            : decision.code === 'dns_txt_mismatch' ? { txtName: expected.name, txtValue: expected.value, found: decision.found } : undefined);
        }
        if (decision.kind === 'already_verified') return { domain: domain.name, verified: true, verifiedAt: domain.verifiedAt! };
        const verified = await repos.domains.markVerified(domain.id, clock.now());
        await audit(repos, actor, { orgSid, action: 'domain.verified', target: verified.name, before: audited(domain), after: audited(verified) });
        return { domain: verified.name, verified: true, verifiedAt: verified.verifiedAt! };
      });
    },

    /**
     * D6: sets the policy of a verified domain: restricted, auto_enrollment (or auto-enrollment) or
     * blocked. `guard` (the API's If-Match) is checked on the locked row.
     */
    async setPolicy(actor: Actor, orgSid: string, input: string, policy: string, guard?: DomainGuard): Promise<DomainView> {
      const name = domainName(input);
      return store.transaction(async (repos) => {
        await authorize(repos, actor, orgSid, 'manage_domains');
        const domain = await registered(repos, orgSid, name, true);
        guard?.(domainView(domain));
        const decision = decideDomainPolicyChange(domainSnapshot(domain), policyName(policy));
        if (decision.kind === 'reject') fail(decision);
        if (decision.kind === 'unchanged') return domainView(domain);
        const updated = await repos.domains.update(domain.id, { policy: decision.policy });
        await audit(repos, actor, { orgSid, action: 'domain.policy_changed', target: domain.name, before: { policy: domain.policy }, after: { policy: updated.policy } });
        return domainView(updated);
      });
    },

    /**
     * D4: which organization verified `input`, for the operator only (an organization's domains
     * are not shown to others). The fix named by domain_claimed starts here.
     */
    async holder(actor: Actor, input: string): Promise<{ domain: string; orgSid: string; orgName: string; verifiedAt: Date }> {
      const operator = decideOperatorOnly(actor.kind, 'see which organization verified a domain');
      if (operator.kind === 'reject') fail(operator);
      const name = domainName(input);
      const verified = await store.read.domains.findVerified(name);
      const org = verified ? await store.read.organizations.get(verified.orgSid) : undefined;
      if (!verified || !org) throw new DomainError('not_found', `No organization has verified ${name}.`);
      return { domain: verified.name, orgSid: org.sid, orgName: org.name, verifiedAt: verified.verifiedAt! };
    },

    /**
     * The organization's domains with their TXT records, verification and policy. O3: the Owner,
     * Administrators and API clients (read-only ones too) read them; Standard Users do not.
     */
    async list(actor: Actor, orgSid: string): Promise<DomainView[]> {
      await authorize(store.read, actor, orgSid, 'view_domains');
      return (await store.read.domains.listByOrg(orgSid)).map(domainView);
    },

    /** One domain of the organization, as {@link list} shows it; not_found when it is not registered. */
    async get(actor: Actor, orgSid: string, input: string): Promise<DomainView> {
      const name = domainName(input);
      await authorizeStep(store.read, actor, orgSid, 'view_domains', 'domain.read', { now: clock.now() });
      return domainView(await registered(store.read, orgSid, name));
    },

    /**
     * Removes a domain from the organization; a verified one becomes free for others to verify
     * (D4). A verified domain that members use is removed only with `force`; without it the
     * refusal (domain_in_use) carries in `details` what would change (members on it, SSO
     * enforcement, policy), and so does the result.
     */
    async remove(actor: Actor, orgSid: string, input: string, options: { force?: boolean } = {}): Promise<{ domain: string; removed: true; summary: DomainRemovalSummary }> {
      const name = domainName(input);
      return store.transaction(async (repos) => {
        await authorize(repos, actor, orgSid, 'manage_domains');
        const domain = await registered(repos, orgSid, name);
        const decision = decideDomainRemoval(domainSnapshot(domain), await repos.domains.countMembersOn(orgSid, domain.name), options.force === true);
        if (decision.kind === 'reject') fail(decision, { ...decision.summary });
        await repos.domains.remove(domain.id);
        await audit(repos, actor, { orgSid, action: 'domain.removed', target: domain.name, before: audited(domain), after: { membersOnDomain: decision.summary.membersOnDomain, forced: options.force === true } });
        return { domain: domain.name, removed: true as const, summary: decision.summary };
      });
    },
  };
}

/** The domains service object. */
export type DomainsService = ReturnType<typeof createDomainsService>;
