/**
 * Changing an SSO connection after it was added (S1): a new certificate (rotation), IdP entity ID
 * or issuer, SSO URL, IdP-initiated setting or OIDC client. A change to what the connection trusts
 * clears its successful test, so it signs nobody in (and cannot back enforcement) until a new test
 * sign-in succeeds: otherwise an Administrator could test against a real IdP and then point the
 * connection at one they control.
 */
import { DomainError } from '../errors.js';
import { decideConnectionChange, decideConnectionWithdrawal } from '../rules/sso.js';
import { decideSetupConnection } from '../rules/setup-links.js';
import { encryptSecret } from '../security/encryption.js';
import type { SsoConnectionChange, SsoConnectionRecord } from '../store/sso-connections.js';
import type { Repos } from '../store/index.js';
import type { Actor } from '../types.js';
import { audit, authorize, authorizeStep, checkSetupLinkConnection, fail } from './context.js';
import type { SsoTestResult } from '../store/sso-test-results.js';
import type { ServiceDeps } from './index.js';
import { checkCertificates, checkText, checkUrl } from './sso-input.js';

/** What may change on a SAML connection (omitted: unchanged). */
export interface ChangeSamlInput {
  readonly idpEntityId?: string;
  readonly ssoUrl?: string;
  readonly certificates?: readonly string[];
  readonly allowIdpInitiated?: boolean;
  readonly allowSha1?: boolean;
}

/** What may change on an OIDC connection (omitted: unchanged). */
export interface ChangeOidcInput {
  readonly issuer?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
}

/** The result of a change: which trust settings changed and whether a new test is needed. */
export interface ConnectionChanged {
  readonly connectionId: string;
  readonly changed: readonly string[];
  readonly testRequired: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createSsoConnectionChanges(deps: ServiceDeps) {
  const { store, clock, secretKey } = deps;

  async function change(
    actor: Actor, orgSid: string, connectionId: string, protocol: 'saml' | 'oidc', valuesFor: (c: SsoConnectionRecord) => SsoConnectionChange,
  ): Promise<ConnectionChanged> {
    return store.transaction(async (repos) => {
      const auth = await authorizeStep(repos, actor, orgSid, 'manage_sso', 'sso.change_connection', { now: clock.now(), lockLink: true });
      const c = typeof connectionId === 'string' && UUID.test(connectionId) ? await repos.ssoConnections.lock(connectionId) : undefined;
      if (!c || c.orgSid !== orgSid) throw new DomainError('not_found', 'No such single sign-on connection.');
      if (c.protocol !== protocol) throw new DomainError('invalid_input', `Connection ${c.id} is an ${c.protocol.toUpperCase()} connection: change it with the ${c.protocol} command.`);
      if (auth.setupLink) {
        // Under the connection's lock: a setup link corrects only its own connection, and only
        // until a test sign-in has succeeded (rules/setup-links.ts).
        checkSetupLinkConnection(auth, c.id);
        const allowed = decideSetupConnection(c, protocol);
        if (allowed.kind === 'reject') fail(allowed);
      }
      const values = valuesFor(c);
      const decision = decideConnectionChange(c, values);
      const secretChanged = values.clientSecretEncrypted !== undefined;
      if (decision.changed.length === 0 && !secretChanged) return { connectionId: c.id, changed: [], testRequired: false };
      const now = clock.now();
      await repos.ssoConnections.updateSettings(c.id, values, decision.resetsTest, now);
      await audit(repos, actor, {
        orgSid, action: 'sso.connection_changed', target: c.id,
        before: { testedAt: c.testedAt }, after: { changed: [...decision.changed, ...(secretChanged ? ['clientSecret'] : [])], testReset: decision.resetsTest },
      });
      return { connectionId: c.id, changed: [...decision.changed, ...(secretChanged ? ['clientSecret'] : [])], testRequired: decision.resetsTest };
    });
  }

  /** The connection of `orgSid`, locked; not_found for anything else (U6). */
  async function lockOf(repos: Repos, orgSid: string, connectionId: string): Promise<SsoConnectionRecord> {
    const c = typeof connectionId === 'string' && UUID.test(connectionId) ? await repos.ssoConnections.lock(connectionId) : undefined;
    if (!c || c.orgSid !== orgSid) throw new DomainError('not_found', 'No such single sign-on connection.');
    return c;
  }

  /** S1, U5: refuses to withdraw the only working connection of an organization that enforces SSO (decided under the org's connection locks). */
  async function checkWithdrawal(repos: Repos, orgSid: string, connectionId: string): Promise<void> {
    const connections = await repos.ssoConnections.lockByOrg(orgSid);
    const enforcedDomains = (await repos.domains.listByOrg(orgSid)).filter((d) => d.ssoEnforced).map((d) => d.name);
    const decision = decideConnectionWithdrawal({ connectionId, connections, enforcedDomains });
    if (decision.kind === 'reject') fail(decision);
  }

  return {
    /** S1: enables or disables a connection; a disabled one signs nobody in (nor tests). */
    async setEnabled(actor: Actor, orgSid: string, connectionId: string, enabled: boolean): Promise<{ connectionId: string; enabled: boolean; changed: boolean }> {
      return store.transaction(async (repos) => {
        // The organization row lock serialises this with enforcement being switched on (setEnforcement takes it too).
        await authorize(repos, actor, orgSid, 'manage_sso', {}, true);
        const c = await lockOf(repos, orgSid, connectionId);
        if (c.enabled === enabled) return { connectionId: c.id, enabled, changed: false };
        if (!enabled) await checkWithdrawal(repos, orgSid, c.id);
        await repos.ssoConnections.setEnabled(c.id, enabled, clock.now());
        await audit(repos, actor, { orgSid, action: enabled ? 'sso.connection_enabled' : 'sso.connection_disabled', target: c.id, before: { enabled: c.enabled }, after: { enabled } });
        return { connectionId: c.id, enabled, changed: true };
      });
    },

    /** S1: deletes a connection. Identities linked through it stay linked to their users (S6). */
    async remove(actor: Actor, orgSid: string, connectionId: string): Promise<{ connectionId: string }> {
      return store.transaction(async (repos) => {
        await authorize(repos, actor, orgSid, 'manage_sso', {}, true);
        const c = await lockOf(repos, orgSid, connectionId);
        await checkWithdrawal(repos, orgSid, c.id);
        await repos.ssoConnections.remove(c.id);
        await audit(repos, actor, {
          orgSid, action: 'sso.connection_removed', target: c.id,
          before: { protocol: c.protocol, idpEntityId: c.idpEntityId, issuer: c.issuer, enabled: c.enabled, testedAt: c.testedAt },
        });
        return { connectionId: c.id };
      });
    },

    /** S1: the last test sign-in of a connection (outcome, time, what the IdP sent), or null. */
    async lastTest(actor: Actor, orgSid: string, connectionId: string): Promise<SsoTestResult | null> {
      const auth = await authorizeStep(store.read, actor, orgSid, 'manage_sso', 'sso.read', { now: clock.now(), mode: 'read' });
      const c = typeof connectionId === 'string' && UUID.test(connectionId) ? await store.read.ssoConnections.get(connectionId) : undefined;
      if (!c || c.orgSid !== orgSid) throw new DomainError('not_found', 'No such single sign-on connection.');
      checkSetupLinkConnection(auth, c.id);
      return (await store.read.ssoTestResults.get(c.id)) ?? null;
    },

    /** S1: changes a SAML connection; a change to what it trusts requires a new test sign-in. */
    async changeSaml(actor: Actor, orgSid: string, connectionId: string, input: ChangeSamlInput): Promise<ConnectionChanged> {
      return change(actor, orgSid, connectionId, 'saml', () => ({
        ...(input.idpEntityId !== undefined && { idpEntityId: checkText(input.idpEntityId, 'idpEntityId') }),
        ...(input.ssoUrl !== undefined && { ssoUrl: checkUrl(input.ssoUrl, 'ssoUrl', true) }),
        ...(input.certificates !== undefined && { idpCertificates: checkCertificates(input.certificates) }),
        ...(input.allowIdpInitiated !== undefined && { allowIdpInitiated: input.allowIdpInitiated === true }),
        ...(input.allowSha1 !== undefined && { allowSha1: input.allowSha1 === true }),
      }));
    },

    /** S1: changes an OIDC connection; a new issuer or client id requires a new test sign-in. */
    async changeOidc(actor: Actor, orgSid: string, connectionId: string, input: ChangeOidcInput): Promise<ConnectionChanged> {
      return change(actor, orgSid, connectionId, 'oidc', (c) => ({
        // Plain http only where the connection was added for a loopback test IdP.
        ...(input.issuer !== undefined && { issuer: checkUrl(input.issuer, 'issuer', c.allowHttpIssuer) }),
        ...(input.clientId !== undefined && { clientId: checkText(input.clientId, 'clientId', 512) }),
        ...(input.clientSecret !== undefined && { clientSecretEncrypted: encryptSecret(secretKey, checkText(input.clientSecret, 'clientSecret', 2048)) }),
      }));
    },
  };
}
