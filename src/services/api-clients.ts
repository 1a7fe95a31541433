/**
 * API clients of the Organizations API (issue 10) and operator clients: OAuth 2.0 client
 * credentials. The secret is shown once and stored as a SHA-256 digest (it has full entropy);
 * comparisons are constant-time. `standing` answers, on every authenticated request and from the
 * database (so every instance agrees at once), whether a client may still act: not revoked, its
 * organization not merged away, its creator still an active Owner or Administrator there.
 */
import { randomBytes } from 'node:crypto';
import { DomainError } from '../errors.js';
import { API_CLIENT_ROLES, creatorStillEntitled, decideManageApiClients, type ApiClientRole } from '../rules/api-clients.js';
import { hashToken, sameDigest } from '../security/tokens.js';
import type { ApiClientRecord } from '../store/api-clients.js';
import { actorLabel, type Actor } from '../types.js';
import { audit, authorize, fail, snapshotOf } from './context.js';
import type { ServiceDeps } from './index.js';

export type { ApiClientRecord } from '../store/api-clients.js';

const CLIENT_ID = /^OQ[0-9a-f]{32}$/;
const newClientId = (): string => `OQ${randomBytes(16).toString('hex')}`;
const newSecret = (): string => randomBytes(32).toString('base64url');
// last_used_at is informative: written at most once a minute per client and process.
const TOUCH_EVERY_MS = 60_000;

/** A client that may act now: what the bearer middleware turns into a principal. */
export type LiveClient =
  | { readonly kind: 'organization'; readonly clientId: string; readonly orgSid: string; readonly role: ApiClientRole }
  | { readonly kind: 'operator'; readonly clientId: string };

const invalidClient = () => new DomainError('unauthenticated', 'The access token belongs to an API client that was revoked or whose creator no longer administers the organization. Create a new API client.');

export function createApiClientsService(deps: ServiceDeps) {
  const { store, clock, logger } = deps;
  const touched = new Map<string, number>();

  /** O3: people manage their organization's clients as Owner or Administrator; the operator always may. */
  async function mayManage(actor: Actor, orgSid: string, repos = store.read): Promise<void> {
    if (actor.kind === 'operator' || actor.kind === 'system') {
      await authorize(repos, actor, orgSid, 'view_organization');
      return;
    }
    if (actor.kind !== 'user') {
      // An API client never mints or revokes clients (a leaked token must not entrench itself).
      if (actor.kind === 'api_client' && actor.orgSid !== orgSid) throw new DomainError('not_found', `No organization ${orgSid}.`);
      throw new DomainError('forbidden', 'API clients are managed by the Owner or an Administrator, in the console or with `orgward api-client`.');
    }
    const { member } = await authorize(repos, actor, orgSid, 'view_organization');
    const decision = decideManageApiClients(snapshotOf(member!), orgSid);
    if (decision.kind === 'reject') fail(decision);
  }

  return {
    /** A new API client of `orgSid`; the secret is in the result only and cannot be shown again. */
    async create(actor: Actor, orgSid: string, input: { role: string; name?: string | undefined }): Promise<{ clientId: string; clientSecret: string; role: ApiClientRole; name: string | null }> {
      if (!(API_CLIENT_ROLES as readonly string[]).includes(input.role)) throw new DomainError('invalid_input', 'The role of an API client is admin or read-only.');
      const role = input.role as ApiClientRole;
      const name = input.name?.trim() || null;
      if (name !== null && name.length > 200) throw new DomainError('invalid_input', 'An API client name has at most 200 characters.');
      return store.transaction(async (repos) => {
        await mayManage(actor, orgSid, repos);
        const clientSecret = newSecret();
        const record = await repos.apiClients.insert({
          clientId: newClientId(), kind: 'organization', orgSid, role, name, secretHash: hashToken(clientSecret), createdBy: actorLabel(actor),
        });
        await audit(repos, actor, { orgSid, action: 'api_client.created', target: record.clientId, after: { role, name } });
        return { clientId: record.clientId, clientSecret, role, name };
      });
    },

    /** An operator client (the CLI's credential over HTTP); only the operator makes one. */
    async createOperatorClient(actor: Actor, input: { name?: string | undefined } = {}): Promise<{ clientId: string; clientSecret: string; name: string | null }> {
      if (actor.kind !== 'operator' && actor.kind !== 'system') throw new DomainError('forbidden', 'Operator clients are created with `orgward operator-client create` on the server.');
      const name = input.name?.trim() || null;
      if (name !== null && name.length > 200) throw new DomainError('invalid_input', 'A client name has at most 200 characters.');
      const clientSecret = newSecret();
      const record = await store.transaction((repos) => repos.apiClients.insert({
        clientId: newClientId(), kind: 'operator', orgSid: null, role: null, name, secretHash: hashToken(clientSecret), createdBy: 'operator',
      }));
      return { clientId: record.clientId, clientSecret, name };
    },

    async list(actor: Actor, orgSid: string): Promise<ApiClientRecord[]> {
      await mayManage(actor, orgSid);
      return store.read.apiClients.list(orgSid);
    },

    /** Revokes at once: the next request with any of its tokens is refused on every instance. */
    async revoke(actor: Actor, orgSid: string, clientId: string): Promise<{ clientId: string; revoked: boolean }> {
      return store.transaction(async (repos) => {
        await mayManage(actor, orgSid, repos);
        const existing = CLIENT_ID.test(clientId) ? await repos.apiClients.get(orgSid, clientId) : undefined;
        if (!existing) throw new DomainError('not_found', `No API client ${clientId} in this organization.`);
        const revoked = await repos.apiClients.revoke(orgSid, clientId, clock.now());
        if (revoked) await audit(repos, actor, { orgSid, action: 'api_client.revoked', target: clientId, before: { revokedAt: null }, after: { revokedAt: clock.now() } });
        return { clientId, revoked };
      });
    },

    /** Client authentication for the token endpoint: the live client's stored digest, or undefined. */
    async secretDigest(clientId: string): Promise<string | undefined> {
      if (!CLIENT_ID.test(clientId)) return undefined;
      return (await store.read.apiClients.findLiveSecret(clientId))?.secretHash;
    },

    /** Constant-time check of a presented secret against the stored digest. */
    async verifySecret(clientId: string, secret: string): Promise<boolean> {
      const digest = await this.secretDigest(clientId);
      return digest !== undefined && sameDigest(hashToken(secret), digest);
    },

    /**
     * Whether the client may act now (one primary-key lookup). Revocation, a merged-away
     * organization, and a suspended, removed or demoted creator all refuse it.
     */
    async standing(clientId: string): Promise<LiveClient> {
      const s = CLIENT_ID.test(clientId) ? await store.read.apiClients.standing(clientId) : undefined;
      if (!s || s.revoked) throw invalidClient();
      const at = clock.now().getTime();
      if (at - (touched.get(s.clientId) ?? s.lastUsedAt?.getTime() ?? 0) >= TOUCH_EVERY_MS) {
        touched.set(s.clientId, at);
        store.read.apiClients.touch(s.clientId, new Date(at)).catch((error: unknown) => logger.warn('api client last use not recorded', { error }));
      }
      if (s.kind === 'operator') return { kind: 'operator', clientId: s.clientId };
      if (s.orgMerged || s.orgSid === null || s.role === null) throw invalidClient();
      // Clients made by the operator have no creator membership to lose.
      if (s.creator !== undefined && !creatorStillEntitled(s.creator, s.orgSid)) throw invalidClient();
      // S7: enforcement covers API keys created before it was switched on.
      if (s.ssoEnforcedSinceCreation) {
        throw new DomainError('sso_required', "Single sign-on is now enforced for this client's creator; clients created before enforcement stop working. Create a new API client.");
      }
      return { kind: 'organization', clientId: s.clientId, orgSid: s.orgSid, role: s.role };
    },
  };
}

export type ApiClientsService = ReturnType<typeof createApiClientsService>;
