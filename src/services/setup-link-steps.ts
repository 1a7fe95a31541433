/**
 * The steps a setup link walks its holder through (issue 11), each one a call of the service an
 * administrator's page calls, as the link's actor (services/context.ts authorizeStep lets it take
 * only its kind's steps, in its organization, while it is live):
 * - SSO: the SP values of the link's connection, its IdP's details (SAML or OIDC; corrected until a
 *   test passes), the test sign-in and its result with the attributes received (S1);
 * - SCIM: the base URL, tokens (shown once, C1), and the first user and group the IdP pushed;
 * - domains: register, the TXT record to publish, verify (D3).
 * Nothing here enforces SSO, sets a policy, maps a group or changes a role.
 */
import { DomainError, isDomainError } from '../errors.js';
import { normaliseDomain } from '../rules/domains.js';
import { decideSetupConnection, planSetupLinkWork, protocolFor } from '../rules/setup-links.js';
import type { AuditEntry } from '../types.js';
import { audit, authorizeStep, fail } from './context.js';
import type { DomainsService, DomainView } from './domains.js';
import type { ServiceDeps } from './index.js';
import type { ScimTokenRecord, ScimTokensService } from './scim-tokens.js';
import type { OpenedLink } from './setup-links.js';
import type { SsoService } from './sso.js';
import { oidcConnectionUrls, samlConnectionUrls, type AddOidcInput, type AddSamlInput } from './sso-connections.js';
import type { ConnectionView } from './sso-types.js';
import type { SsoTestResult } from '../store/sso-test-results.js';

/** The SSO step's state: what to give the IdP, the connection once added, its last test. */
export interface SsoSetupState {
  readonly protocol: 'saml' | 'oidc' | null;
  /** The values the IdP needs (known once an IdP is chosen). */
  readonly sp: { readonly spEntityId: string; readonly acsUrl?: string; readonly redirectUri?: string; readonly metadataUrl: string } | null;
  readonly connection: ConnectionView | null;
  readonly lastTest: SsoTestResult | null;
}

/** The SCIM step's state: the link's live tokens and the first user and group received through them. */
export interface ScimSetupState {
  readonly tokens: readonly ScimTokenRecord[];
  readonly firstUser: { readonly userSid: string; readonly email: string; readonly userName: string | null; readonly at: Date } | null;
  readonly firstGroup: { readonly id: string; readonly displayName: string; readonly at: Date } | null;
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const afterOf = (e: AuditEntry): Record<string, unknown> => (e.after !== null && typeof e.after === 'object' ? e.after as Record<string, unknown> : {});

export function createSetupLinkSteps(deps: ServiceDeps, services: { sso: SsoService; scimTokens: ScimTokensService; domains: DomainsService }) {
  const { store, clock } = deps;
  const base = deps.baseUrl.replace(/\/+$/, '');
  const { sso, scimTokens, domains } = services;

  /** The link's SSO connection (only its own: sso.list shows a link nothing else). */
  async function connectionOf(o: OpenedLink): Promise<ConnectionView | null> {
    if (o.link.connectionId === null) return null;
    return (await sso.list(o.actor, o.link.orgSid)).find((c) => c.connectionId === o.link.connectionId) ?? null;
  }

  /** Adds the link's connection, or corrects it until its test passed (rules/setup-links.ts). */
  async function saveConnection(o: OpenedLink, protocol: 'saml' | 'oidc', add: (id: string) => Promise<unknown>, change: (id: string) => Promise<unknown>): Promise<void> {
    const id = o.link.connectionId;
    if (id === null || o.link.idp === null || protocolFor(o.link.idp) !== protocol) {
      throw new DomainError('invalid_input', `Choose an identity provider that uses ${protocol.toUpperCase()} first.`);
    }
    const existing = await connectionOf(o);
    const decision = decideSetupConnection(existing && { protocol: existing.protocol, testedAt: existing.testedAt }, protocol);
    if (decision.kind === 'reject') fail(decision);
    await (decision.kind === 'add' ? add(id) : change(id));
  }

  return {
    async ssoState(o: OpenedLink): Promise<SsoSetupState> {
      const id = o.link.connectionId;
      const protocol = o.link.idp === null ? null : protocolFor(o.link.idp);
      const connection = await connectionOf(o);
      const lastTest = connection ? await sso.lastTest(o.actor, o.link.orgSid, connection.connectionId) : null;
      const sp = id === null || protocol === null ? null : protocol === 'saml' ? samlConnectionUrls(base, id) : oidcConnectionUrls(base, id);
      return { protocol, sp, connection, lastTest };
    },

    /** S1: the IdP's SAML details (from its metadata or fields); IdP-initiated sign-in stays off (S8). */
    async saveSaml(o: OpenedLink, input: Pick<AddSamlInput, 'idpEntityId' | 'ssoUrl' | 'certificates'>): Promise<void> {
      const values = { idpEntityId: input.idpEntityId, ssoUrl: input.ssoUrl, certificates: input.certificates };
      await saveConnection(o, 'saml',
        (id) => sso.addSaml(o.actor, o.link.orgSid, { ...values, connectionId: id }),
        (id) => sso.changeSaml(o.actor, o.link.orgSid, id, values));
    },

    /** S1: the OpenID Provider's issuer and the client registered there (discovered by the caller first). */
    async saveOidc(o: OpenedLink, input: Pick<AddOidcInput, 'issuer' | 'clientId' | 'clientSecret'>): Promise<void> {
      const values = { issuer: input.issuer, clientId: input.clientId, clientSecret: input.clientSecret };
      await saveConnection(o, 'oidc',
        (id) => sso.addOidc(o.actor, o.link.orgSid, { ...values, connectionId: id }),
        (id) => sso.changeOidc(o.actor, o.link.orgSid, id, values));
    },

    /** S1: a test sign-in link for the link's connection (it links nobody: a setup link is not the Owner, S6). */
    async startTest(o: OpenedLink): Promise<{ url: string; expiresAt: Date }> {
      return sso.startTest(o.actor, o.link.orgSid, o.link.connectionId ?? '');
    },

    async scimState(o: OpenedLink): Promise<ScimSetupState> {
      const tokens = await scimTokens.list(o.actor, o.link.orgSid);
      const work = planSetupLinkWork(await store.read.setupLinks.steps(o.link.sid));
      const actors = work.tokenIds.map((id) => `scim:${id}`);
      const [user, group] = await Promise.all([
        store.read.audit.firstOf(o.link.orgSid, actors, 'scim.user_provisioned'),
        store.read.audit.firstOf(o.link.orgSid, actors, 'scim.group_created'),
      ]);
      return {
        tokens: tokens.filter((t) => t.revokedAt === null),
        firstUser: user === undefined ? null : { userSid: user.target ?? '', email: text(afterOf(user).email) ?? '', userName: text(afterOf(user).userName), at: user.createdAt },
        firstGroup: group === undefined ? null : { id: group.target ?? '', displayName: text(afterOf(group).displayName) ?? '', at: group.createdAt },
      };
    },

    /** C1: a new SCIM token for the IdP, in the result only. */
    async createToken(o: OpenedLink): Promise<{ id: string; token: string }> {
      const created = await scimTokens.create(o.actor, o.link.orgSid, { description: `Setup link ${o.link.sid}${o.link.idp ? ` (${o.link.idp})` : ''}` });
      return { id: created.id, token: created.token };
    },

    /** C1: revokes a token this link created (scimTokens.revoke refuses any other). */
    async revokeToken(o: OpenedLink, id: string): Promise<void> {
      await scimTokens.revoke(o.actor, o.link.orgSid, id);
    },

    /** D3: the domains this link registered (or took up), with their TXT records and state. */
    async domainState(o: OpenedLink): Promise<DomainView[]> {
      const work = planSetupLinkWork(await store.read.setupLinks.steps(o.link.sid));
      const found: DomainView[] = [];
      for (const name of work.domains) {
        try {
          found.push(await domains.get(o.actor, o.link.orgSid, name));
        } catch (error) {
          // Removed by an administrator since: no longer this link's.
          if (!isDomainError(error) || error.code !== 'not_found') throw error;
        }
      }
      return found;
    },

    /**
     * D1-D4: registers a domain. One the organization registered already and has not verified is
     * taken up by the link instead (an administrator may have registered it for the IT admin to prove).
     */
    async addDomain(o: OpenedLink, name: string): Promise<DomainView> {
      try {
        return await domains.add(o.actor, o.link.orgSid, name);
      } catch (error) {
        if (!isDomainError(error) || error.code !== 'domain_exists' || error.details?.verified !== false) throw error;
        const domain = String(error.details.domain);
        await store.transaction(async (repos) => {
          await authorizeStep(repos, o.actor, o.link.orgSid, 'manage_domains', 'domain.add', { now: clock.now(), lockLink: true });
          await audit(repos, o.actor, { orgSid: o.link.orgSid, action: 'setup_link.domain_included', target: domain });
        });
        return domains.get(o.actor, o.link.orgSid, domain);
      }
    },

    /** D3: verifies one of the link's domains by its TXT record. */
    async verifyDomain(o: OpenedLink, name: string): Promise<void> {
      const normal = normaliseDomain(name);
      if (!normal.ok) throw new DomainError(normal.code, normal.message);
      const mine = planSetupLinkWork(await store.read.setupLinks.steps(o.link.sid)).domains;
      if (!mine.includes(normal.domain)) throw new DomainError('not_found', `${normal.domain} was not registered through this setup link.`);
      await domains.verify(o.actor, o.link.orgSid, normal.domain);
    },
  };
}

export type SetupLinkSteps = ReturnType<typeof createSetupLinkSteps>;
