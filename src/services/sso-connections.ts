/**
 * SSO connections of an organization (S1): add SAML and OIDC connections, list them, switch
 * enforcement on a verified domain (S1, S7), and start a test sign-in. Secrets are sealed with
 * the service key (OIDC client secret, SAML SP private key); OIDC discovery happens lazily at the
 * first sign-in, so adding a connection works offline.
 */
import { X509Certificate } from 'node:crypto';
import { DomainError } from '../errors.js';
import { normaliseDomain } from '../rules/domains.js';
import { decideEnforcement } from '../rules/sso.js';
import { decideOwnerLinkHolder, type TestLinkOpener } from '../rules/sso-identity.js';
import { decryptSecret, encryptSecret } from '../security/encryption.js';
import { hashToken, newToken } from '../security/tokens.js';
import type { SsoConnectionRecord } from '../store/sso-connections.js';
import { actorLabel, type Actor } from '../types.js';
import { endPasswordSessionsOnDomain } from './session-ends.js';
import { audit, authorize, authorizeStep, checkSetupLinkConnection, fail } from './context.js';
import type { ServiceDeps } from './index.js';
import { createSpKeyPair } from './sso-certificate.js';
import { checkCertificates, checkText, checkUrl } from './sso-input.js';
import type { ConnectionView, OidcSettings, SamlSettings } from './sso-types.js';
import { UUID_PATTERN } from '../ids.js';

/** How long a test sign-in link works. */
export const TEST_TICKET_TTL_MS = 15 * 60 * 1000;

export interface AddSamlInput {
  /** The id the connection gets, chosen beforehand (a setup link shows the SP values first); new otherwise. */
  readonly connectionId?: string;
  readonly idpEntityId: string;
  readonly ssoUrl: string;
  /** PEM signing certificates of the IdP; several during a rotation. */
  readonly certificates: readonly string[];
  readonly allowIdpInitiated?: boolean;
  readonly allowSha1?: boolean;
}

export interface AddOidcInput {
  /** As {@link AddSamlInput.connectionId}. */
  readonly connectionId?: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Test setups only: accept a plain-http issuer on a loopback address. */
  readonly allowHttpIssuer?: boolean;
}

export interface AddedConnection {
  readonly connectionId: string;
  readonly spEntityId: string;
  readonly acsUrl?: string;
  readonly redirectUri?: string;
  readonly metadataUrl: string;
}

/** What a SAML IdP is given for connection `id`: our entity ID, ACS URL and SP metadata URL. */
export const samlConnectionUrls = (base: string, id: string) => ({ spEntityId: `${base}/sso/saml/${id}`, acsUrl: `${base}/sso/saml/${id}/acs`, metadataUrl: `${base}/sso/saml/${id}/metadata` });

/** What an OpenID Provider is given for connection `id`: our client's redirect URI and metadata URL. */
export const oidcConnectionUrls = (base: string, id: string) => ({ spEntityId: `${base}/sso/oidc/${id}`, redirectUri: `${base}/sso/oidc/${id}/callback`, metadataUrl: `${base}/sso/oidc/${id}/metadata` });

/** A connection id chosen beforehand: a UUID, or invalid_input. */
function chosenId(id: string | undefined): string | undefined {
  if (id === undefined) return undefined;
  if (typeof id !== 'string' || !UUID_PATTERN.test(id)) throw new DomainError('invalid_input', 'connectionId must be a UUID.');
  return id.toLowerCase();
}

/**
 * A plain-http loopback issuer is for test IdPs set up by whoever runs Orgward: an organization's
 * administrators must not make the server fetch from its own loopback interface (asked before
 * any discovery request too).
 */
export function refuseHttpIssuer(actor: Actor, allowHttpIssuer: boolean): void {
  if (allowHttpIssuer && actor.kind !== 'operator' && actor.kind !== 'system') {
    throw new DomainError('forbidden', 'Only an operator may add an OIDC connection with a plain-http loopback issuer (test IdPs). Use an https:// issuer.');
  }
}

export function createSsoConnectionService(deps: ServiceDeps) {
  const { store, clock, baseUrl, secretKey } = deps;
  const base = baseUrl.replace(/\/+$/, '');
  const samlUrls = (id: string) => samlConnectionUrls(base, id);
  const oidcUrls = (id: string) => oidcConnectionUrls(base, id);

  const view = (c: SsoConnectionRecord): ConnectionView => c.protocol === 'saml'
    ? {
      connectionId: c.id, orgSid: c.orgSid, protocol: 'saml', enabled: c.enabled, testedAt: c.testedAt, ...samlUrls(c.id),
      idpEntityId: c.idpEntityId!, ssoUrl: c.ssoUrl!, allowIdpInitiated: c.allowIdpInitiated, allowSha1: c.allowSha1,
      certificateFingerprints: c.idpCertificates.map((pem) => new X509Certificate(pem).fingerprint256), createdAt: c.createdAt,
      certificates: c.idpCertificates.map((pem) => { const x = new X509Certificate(pem); return { fingerprint256: x.fingerprint256, notAfter: new Date(x.validTo) }; }),
    }
    : { connectionId: c.id, orgSid: c.orgSid, protocol: 'oidc', enabled: c.enabled, testedAt: c.testedAt, ...oidcUrls(c.id), issuer: c.issuer!, clientId: c.clientId!, createdAt: c.createdAt };

  async function load(connectionId: string): Promise<SsoConnectionRecord> {
    const c = typeof connectionId === 'string' && UUID_PATTERN.test(connectionId) ? await store.read.ssoConnections.get(connectionId) : undefined;
    if (!c) throw new DomainError('not_found', 'No such single sign-on connection.');
    return c;
  }

  return {
    /** S1: adds a SAML connection; a fresh SP key pair is made for it. */
    async addSaml(actor: Actor, orgSid: string, input: AddSamlInput): Promise<AddedConnection> {
      const idpEntityId = checkText(input.idpEntityId, 'idpEntityId');
      const ssoUrl = checkUrl(input.ssoUrl, 'ssoUrl', true);
      const certificates = checkCertificates(input.certificates);
      const id = chosenId(input.connectionId);
      const now = clock.now();
      const keys = createSpKeyPair(`Orgward SP ${orgSid}`, now);
      return store.transaction(async (repos) => {
        const auth = await authorizeStep(repos, actor, orgSid, 'manage_sso', 'sso.add_connection', { now, lockLink: true });
        // A setup link adds exactly the connection whose SP values its page showed (one per link).
        if (auth.setupLink) checkSetupLinkConnection(auth, id ?? '');
        const c = await repos.ssoConnections.insert({
          id, protocol: 'saml', orgSid, idpEntityId, ssoUrl, idpCertificates: certificates, allowIdpInitiated: input.allowIdpInitiated === true,
          allowSha1: input.allowSha1 === true, spPrivateKeyEncrypted: encryptSecret(secretKey, keys.privateKey), spCertificate: keys.certificate, now,
        });
        const urls = samlUrls(c.id);
        await audit(repos, actor, { orgSid, action: 'sso.connection_added', target: c.id, after: { protocol: 'saml', idpEntityId, ssoUrl, allowIdpInitiated: c.allowIdpInitiated, allowSha1: c.allowSha1, ...urls } });
        return { connectionId: c.id, ...urls };
      });
    },

    /** S1: adds an OIDC connection; the client secret is stored encrypted. */
    async addOidc(actor: Actor, orgSid: string, input: AddOidcInput): Promise<AddedConnection> {
      const allowHttpIssuer = input.allowHttpIssuer === true;
      refuseHttpIssuer(actor, allowHttpIssuer);
      const issuer = checkUrl(input.issuer, 'issuer', allowHttpIssuer);
      const clientId = checkText(input.clientId, 'clientId', 512);
      const clientSecret = checkText(input.clientSecret, 'clientSecret', 2048);
      const id = chosenId(input.connectionId);
      return store.transaction(async (repos) => {
        const now = clock.now();
        const auth = await authorizeStep(repos, actor, orgSid, 'manage_sso', 'sso.add_connection', { now, lockLink: true });
        if (auth.setupLink) checkSetupLinkConnection(auth, id ?? '');
        const c = await repos.ssoConnections.insert({
          id, protocol: 'oidc', orgSid, issuer, clientId, clientSecretEncrypted: encryptSecret(secretKey, clientSecret), allowHttpIssuer, now,
        });
        const urls = oidcUrls(c.id);
        await audit(repos, actor, { orgSid, action: 'sso.connection_added', target: c.id, after: { protocol: 'oidc', issuer, clientId, ...urls } });
        return { connectionId: c.id, ...urls };
      });
    },

    async list(actor: Actor, orgSid: string): Promise<ConnectionView[]> {
      // Views carry no secret (an OIDC client secret is sealed and never shown): read-only clients read them.
      const auth = await authorizeStep(store.read, actor, orgSid, 'manage_sso', 'sso.read', { now: clock.now(), mode: 'read' });
      const all = await store.read.ssoConnections.listByOrg(orgSid);
      // A setup link sees only the connection it made.
      return (auth.setupLink ? all.filter((c) => c.id === auth.setupLink!.connectionId) : all).map(view);
    },

    /** S7: how many password sessions enforcing SSO on the domain would end now (the console warns first). */
    async enforcementImpact(actor: Actor, orgSid: string, domain: string): Promise<{ domain: string; sessionsToEnd: number }> {
      const normal = normaliseDomain(domain);
      if (!normal.ok) throw new DomainError(normal.code, normal.message);
      await authorize(store.read, actor, orgSid, 'manage_sso');
      const d = await store.read.domains.get(orgSid, normal.domain);
      if (!d) throw new DomainError('not_found', `${normal.domain} is not a domain of this organization.`);
      return { domain: d.name, sessionsToEnd: await store.read.sessions.countLivePasswordForDomain(d.name, clock.now()) };
    },

    /**
     * S1: switches SSO enforcement on or off for a domain of the organization: on only when the
     * domain is verified and an enabled connection passed a test sign-in (sso_not_ready). S7:
     * switching on revokes the password sessions of users on the domain, in the same transaction.
     */
    async setEnforcement(actor: Actor, orgSid: string, domain: string, on: boolean): Promise<{ domain: string; ssoEnforced: boolean; sessionsRevoked: number }> {
      const normal = normaliseDomain(domain);
      if (!normal.ok) throw new DomainError(normal.code, normal.message);
      return store.transaction(async (repos) => {
        await authorize(repos, actor, orgSid, 'manage_sso', {}, true);
        const d = await repos.domains.get(orgSid, normal.domain);
        if (!d) throw new DomainError('not_found', `${normal.domain} is not a domain of this organization.`);
        let sessionsRevoked = 0;
        if (on) {
          const connections = await repos.ssoConnections.lockByOrg(orgSid);
          const decision = decideEnforcement({ domainVerified: d.verifiedAt !== null, connections });
          if (decision.kind === 'reject') fail(decision);
          sessionsRevoked = await endPasswordSessionsOnDomain(repos, actor, { orgSid, domain: d.name, reason: 'sso_enforced', now: clock.now() });
        }
        if (d.ssoEnforced !== on) {
          await repos.domains.update(d.id, { ssoEnforced: on });
          await audit(repos, actor, { orgSid, action: on ? 'domain.sso_enforced' : 'domain.sso_unenforced', target: d.name, before: { ssoEnforced: d.ssoEnforced }, after: { ssoEnforced: on, sessionsRevoked } });
        }
        return { domain: d.name, ssoEnforced: on, sessionsRevoked };
      });
    },

    /**
     * S1: a single-use link (15 minutes) that runs a test sign-in with the connection. Open it in a
     * browser and sign in at the IdP; success records the test, nobody is signed in.
     */
    async startTest(actor: Actor, orgSid: string, connectionId: string): Promise<{ url: string; expiresAt: Date }> {
      const c = await load(connectionId);
      return store.transaction(async (repos) => {
        const now = clock.now();
        const auth = await authorizeStep(repos, actor, orgSid, 'manage_sso', 'sso.test', { now, lockLink: true });
        if (c.orgSid !== orgSid) throw new DomainError('not_found', 'No such single sign-on connection.');
        checkSetupLinkConnection(auth, c.id);
        const token = newToken('sst_');
        const expiresAt = new Date(now.getTime() + TEST_TICKET_TTL_MS);
        await repos.ssoLoginState.saveTestTicket({ tokenHash: hashToken(token), connectionId: c.id, orgSid, createdBy: actorLabel(actor), now, expiresAt });
        // L1: who started a test (the result is recorded by the sign-in that completes it).
        await audit(repos, actor, { orgSid, action: 'sso.test_started', target: c.id, after: { expiresAt } });
        return { url: `${base}/sso/test/${token}`, expiresAt };
      });
    },

    /**
     * The connection behind a test link; the link is used up. `openedBy` is the session of the
     * browser that opened it: the Owner's own password session makes the test link the tested
     * identity to the Owner (S6, decideOwnerLinkHolder).
     */
    async redeemTestTicket(token: string, openedBy: TestLinkOpener | null = null): Promise<{ connectionId: string; protocol: 'saml' | 'oidc'; linkUserSid: string | null }> {
      const ticket = typeof token === 'string' && token.startsWith('sst_')
        ? await store.transaction((repos) => repos.ssoLoginState.consumeTestTicket(hashToken(token), clock.now())) : undefined;
      if (!ticket) throw new DomainError('token_invalid', 'This test sign-in link is not valid any more: it was used or has expired. Start a new test.');
      const c = await load(ticket.connectionId);
      return { connectionId: c.id, protocol: c.protocol, linkUserSid: decideOwnerLinkHolder({ orgSid: ticket.orgSid, ticketCreatedBy: ticket.createdBy, openedBy }) };
    },

    /** For the SAML adapter: the connection's settings, or not_found (also for OIDC connections). */
    async samlSettings(connectionId: string): Promise<SamlSettings> {
      const c = await load(connectionId);
      if (c.protocol !== 'saml') throw new DomainError('not_found', 'No such SAML connection.');
      return {
        connectionId: c.id, orgSid: c.orgSid, enabled: c.enabled, idpEntityId: c.idpEntityId!, ssoUrl: c.ssoUrl!, idpCertificates: c.idpCertificates,
        allowIdpInitiated: c.allowIdpInitiated, allowSha1: c.allowSha1, ...samlUrls(c.id),
        spPrivateKey: decryptSecret(secretKey, c.spPrivateKeyEncrypted!), spCertificate: c.spCertificate!,
      };
    },

    /** For the OIDC adapter: the connection's settings, or not_found (also for SAML connections). */
    async oidcSettings(connectionId: string): Promise<OidcSettings> {
      const c = await load(connectionId);
      if (c.protocol !== 'oidc') throw new DomainError('not_found', 'No such OIDC connection.');
      return {
        connectionId: c.id, orgSid: c.orgSid, enabled: c.enabled, issuer: c.issuer!, clientId: c.clientId!,
        clientSecret: decryptSecret(secretKey, c.clientSecretEncrypted!), redirectUri: oidcUrls(c.id).redirectUri, allowHttpIssuer: c.allowHttpIssuer,
      };
    },
  };
}
