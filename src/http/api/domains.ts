/**
 * Domains of an organization: register (D1-D4: the TXT record to publish), verify by a real DNS
 * lookup (D3: dns_txt_missing, dns_txt_mismatch or verified), policy (D6), SSO enforcement (S1,
 * S7: the sessions it ended), remove (a verified domain in use only with force=true), list and
 * fetch. A domain is addressed by its name; another organization's domains are 404 (U6).
 * O3: the Owner, Administrators and API clients (read-only ones only read) manage them; Standard
 * Users do not see them.
 */
import { z } from 'zod';
import type { DomainPolicy } from '../../rules/types.js';
import type { DomainView } from '../../services/domains.js';
import type { Services } from '../../services/index.js';
import { checkIfMatch, etagOf, idempotent, IDEMPOTENCY_HEADER, IF_MATCH_HEADER } from './preconditions.js';
import { defineRoute, type ApiRoute } from './registry.js';
import { OrganizationSid, pageByKey, twilioPage, twilioPaging } from './schemas.js';

const TAGS = ['Domains'];

/** D6 as the API spells it (the services also accept auto_enrollment). */
const POLICIES = ['restricted', 'auto-enrollment', 'blocked'] as const;
const apiPolicy = (p: DomainPolicy): (typeof POLICIES)[number] => (p === 'auto_enrollment' ? 'auto-enrollment' : p);

const DomainName = z.string().min(1).max(300).describe('The domain name, e.g. corporate.com (normalised as D1 says).');

export const DomainResource = z.object({
  domain: z.string().describe('D1: the normal form (lower case, punycode).'),
  txt_name: z.string().describe('D3: where to publish the TXT record.'),
  txt_value: z.string().describe('D3: the exact value to publish.'),
  verified: z.boolean(),
  date_verified: z.iso.datetime().nullable(),
  policy: z.enum(POLICIES).describe('D6: restricted (default), auto-enrollment or blocked.'),
  sso_enforced: z.boolean().describe('U5, S7: members on this domain must sign in through SSO.'),
  date_created: z.iso.datetime(),
  url: z.string(),
});

const RemovalSummary = z.object({
  domain: z.string(),
  verified: z.boolean(),
  members_on_domain: z.number().int(),
  sso_enforced: z.boolean(),
  policy: z.enum(POLICIES),
  changes: z.array(z.string()).describe('What the removal changes, in sentences.'),
});

const orgParams = z.strictObject({ OrganizationSid });
const domainParams = z.strictObject({ OrganizationSid, Domain: DomainName });

/** Domain names in their normal form, as page tokens. */
const DOMAIN_TOKEN = /^[a-z0-9.-]{1,253}$/;

export function domainRoutes(services: Services, baseUrl: string): ApiRoute[] {
  const collection = (orgSid: string) => `${baseUrl}/Organizations/${orgSid}/Domains`;
  const toResource = (orgSid: string) => (d: DomainView): z.infer<typeof DomainResource> => ({
    domain: d.domain, txt_name: d.txtName, txt_value: d.txtValue, verified: d.verified, date_verified: d.verifiedAt?.toISOString() ?? null,
    policy: apiPolicy(d.policy), sso_enforced: d.ssoEnforced, date_created: d.createdAt.toISOString(), url: `${collection(orgSid)}/${d.domain}`,
  });
  const withEtag = (status: number, orgSid: string, d: DomainView) => {
    const body = toResource(orgSid)(d);
    return { status, body, headers: { ETag: etagOf(body) } };
  };

  return [
    defineRoute({
      method: 'get', path: '/Organizations/{OrganizationSid}/Domains', summary: 'List the domains of an organization', tags: TAGS,
      access: 'admin:read', auth: 'principal', errors: 'orgward', params: orgParams, query: z.strictObject(twilioPaging),
      responses: { 200: { description: 'A page of domains, by name', schema: twilioPage(DomainResource) } },
      async handler({ params, query, principal }) {
        const domains = (await services.domains.list(principal.actor, params.OrganizationSid)).toSorted((a, b) => (a.domain < b.domain ? -1 : 1));
        return { status: 200, body: pageByKey(domains, query, collection(params.OrganizationSid), toResource(params.OrganizationSid), (d) => d.domain, DOMAIN_TOKEN) };
      },
    }),

    defineRoute({
      method: 'post', path: '/Organizations/{OrganizationSid}/Domains', summary: 'Register a domain (D1-D4); answers the TXT record to publish (D3)', tags: TAGS,
      access: 'admin:write', auth: 'principal', errors: 'orgward', params: orgParams,
      body: z.strictObject({ domain: DomainName }),
      headers: [IDEMPOTENCY_HEADER],
      responses: { 201: { description: 'The registered, unverified domain with its TXT record', schema: DomainResource } },
      async handler({ params, body, principal, req }) {
        return idempotent(services, req, principal, body, async () =>
          withEtag(201, params.OrganizationSid, await services.domains.add(principal.actor, params.OrganizationSid, body.domain)));
      },
    }),

    defineRoute({
      method: 'get', path: '/Organizations/{OrganizationSid}/Domains/{Domain}', summary: 'Fetch one domain', tags: TAGS,
      access: 'admin:read', auth: 'principal', errors: 'orgward', params: domainParams,
      responses: { 200: { description: 'The domain', schema: DomainResource } },
      async handler({ params, principal }) {
        return withEtag(200, params.OrganizationSid, await services.domains.get(principal.actor, params.OrganizationSid, params.Domain));
      },
    }),

    defineRoute({
      method: 'post', path: '/Organizations/{OrganizationSid}/Domains/{Domain}', summary: 'Set the policy of a verified domain (D6)', tags: TAGS,
      access: 'admin:write', auth: 'principal', errors: 'orgward', params: domainParams,
      body: z.strictObject({ policy: z.enum(POLICIES).describe('D6: restricted, auto-enrollment or blocked.') }),
      headers: [IF_MATCH_HEADER, IDEMPOTENCY_HEADER],
      responses: { 200: { description: 'The domain with its policy', schema: DomainResource } },
      async handler({ params, body, principal, req }) {
        return idempotent(services, req, principal, body, async () => {
          const orgSid = params.OrganizationSid;
          checkIfMatch(req, toResource(orgSid)(await services.domains.get(principal.actor, orgSid, params.Domain)));
          // Checked again on the locked row, so a concurrent change cannot slip between.
          const updated = await services.domains.setPolicy(principal.actor, orgSid, params.Domain, body.policy, (locked) => checkIfMatch(req, toResource(orgSid)(locked)));
          return withEtag(200, orgSid, updated);
        });
      },
    }),

    defineRoute({
      method: 'post', path: '/Organizations/{OrganizationSid}/Domains/{Domain}/Verification', summary: 'Verify a domain by looking its TXT record up in DNS (D3, D4)', tags: TAGS,
      access: 'admin:write', auth: 'principal', errors: 'orgward', params: domainParams,
      headers: [IDEMPOTENCY_HEADER],
      responses: { 200: { description: 'The verified domain. Not verified: 409 dns_txt_missing (no TXT record at txt_name) or dns_txt_mismatch (other values, in details.found)', schema: DomainResource } },
      async handler({ params, principal, req }) {
        return idempotent(services, req, principal, {}, async () => {
          await services.domains.verify(principal.actor, params.OrganizationSid, params.Domain);
          return withEtag(200, params.OrganizationSid, await services.domains.get(principal.actor, params.OrganizationSid, params.Domain));
        });
      },
    }),

    defineRoute({
      method: 'post', path: '/Organizations/{OrganizationSid}/Domains/{Domain}/SsoEnforcement', summary: 'Switch SSO enforcement on or off for a verified domain (S1, S7)', tags: TAGS,
      access: 'admin:write', auth: 'principal', errors: 'orgward', params: domainParams,
      body: z.strictObject({ enforced: z.boolean().describe('S1: on only once an enabled connection passed a test sign-in (sso_not_ready otherwise).') }),
      headers: [IDEMPOTENCY_HEADER],
      responses: {
        200: {
          description: 'The enforcement and how many password sessions it ended (S7)',
          schema: z.object({ domain: z.string(), sso_enforced: z.boolean(), sessions_ended: z.number().int() }),
        },
      },
      async handler({ params, body, principal, req }) {
        return idempotent(services, req, principal, body, async () => {
          const result = await services.sso.setEnforcement(principal.actor, params.OrganizationSid, params.Domain, body.enforced);
          return { status: 200, body: { domain: result.domain, sso_enforced: result.ssoEnforced, sessions_ended: result.sessionsRevoked } };
        });
      },
    }),

    defineRoute({
      method: 'delete', path: '/Organizations/{OrganizationSid}/Domains/{Domain}', summary: 'Remove a domain (a verified one members use only with force=true)', tags: TAGS,
      access: 'admin:write', auth: 'principal', errors: 'orgward', params: domainParams,
      query: z.strictObject({ force: z.enum(['true', 'false']).optional().describe('Remove a verified domain even though members use it (409 domain_in_use otherwise, with the summary in details).') }),
      headers: [IDEMPOTENCY_HEADER],
      responses: { 200: { description: 'Removed; what it changed', schema: z.object({ domain: z.string(), removed: z.literal(true), summary: RemovalSummary }) } },
      async handler({ params, query, principal, req }) {
        return idempotent(services, req, principal, query, async () => {
          const result = await services.domains.remove(principal.actor, params.OrganizationSid, params.Domain, { force: query.force === 'true' });
          const s = result.summary;
          return {
            status: 200,
            body: {
              domain: result.domain, removed: true,
              summary: { domain: s.domain, verified: s.verified, members_on_domain: s.membersOnDomain, sso_enforced: s.ssoEnforced, policy: apiPolicy(s.policy), changes: [...s.changes] },
            },
          };
        });
      },
    }),
  ];
}
