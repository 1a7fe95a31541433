/**
 * The product's apps: OpenID Connect clients of Orgward's provider, registered by the operator
 * (first-party: they skip the consent screen). A confidential app's secret is shown once and
 * stored as a SHA-256 digest (full entropy); a public app has none and must use PKCE (S256).
 */
import { randomBytes } from 'node:crypto';
import { DomainError } from '../errors.js';
import { decideAppRegistration } from '../rules/oidc-apps.js';
import { decideOperatorOnly } from '../rules/operator.js';
import { hashToken } from '../security/tokens.js';
import type { OidcAppRecord } from '../store/oidc-apps.js';
import type { Actor } from '../types.js';
import { fail } from './context.js';
import type { ServiceDeps } from './index.js';

export type { OidcAppRecord } from '../store/oidc-apps.js';

const APP_ID = /^AP[0-9a-f]{32}$/;
/** True for an app's client ID (the provider's Client lookups go by this). */
export const isAppClientId = (value: unknown): value is string => typeof value === 'string' && APP_ID.test(value);

/** What `orgward app list` shows of an app (never its secret digest). */
export interface AppView {
  readonly clientId: string;
  readonly name: string;
  readonly redirectUris: readonly string[];
  readonly public: boolean;
  readonly backchannelLogoutUri: string | null;
  readonly createdAt: Date;
}

const view = (a: OidcAppRecord): AppView => ({
  clientId: a.clientId, name: a.name, redirectUris: a.redirectUris, public: a.public, backchannelLogoutUri: a.backchannelLogoutUri, createdAt: a.createdAt,
});

export function createOidcAppsService(deps: ServiceDeps) {
  const { store } = deps;
  const operatorOnly = (actor: Actor, what: string) => {
    const d = decideOperatorOnly(actor.kind, what);
    if (d.kind === 'reject') fail(d);
  };
  return {
    /** Registers an app; the secret (confidential apps) is in the result only. */
    async create(actor: Actor, input: { name?: unknown; redirectUris?: unknown; public?: unknown; backchannelLogoutUri?: unknown }): Promise<{ clientId: string; clientSecret?: string }> {
      operatorOnly(actor, 'register apps (orgward app create)');
      const decision = decideAppRegistration(input);
      if (decision.kind === 'reject') fail(decision);
      const clientId = `AP${randomBytes(16).toString('hex')}`;
      const clientSecret = decision.public ? undefined : randomBytes(32).toString('base64url');
      await store.transaction((repos) => repos.oidcApps.insert({
        clientId, name: decision.name, redirectUris: decision.redirectUris, public: decision.public,
        secretHash: clientSecret === undefined ? null : hashToken(clientSecret), backchannelLogoutUri: decision.backchannelLogoutUri, firstParty: true,
      }));
      return clientSecret === undefined ? { clientId } : { clientId, clientSecret };
    },

    async list(actor: Actor): Promise<AppView[]> {
      operatorOnly(actor, 'list apps (orgward app list)');
      return (await store.read.oidcApps.list()).map(view);
    },

    /** Deletes an app; its grants, codes and tokens go with it (the provider finds no client any more). */
    async delete(actor: Actor, clientId: string): Promise<{ clientId: string; deleted: true }> {
      operatorOnly(actor, 'delete apps (orgward app delete)');
      const deleted = isAppClientId(clientId) && await store.transaction(async (repos) => {
        const gone = await repos.oidcApps.delete(clientId);
        if (gone) await repos.oidcPayloads.destroyOfClient(clientId);
        return gone;
      });
      if (!deleted) throw new DomainError('not_found', `No app ${clientId}; GET /v1/Apps or orgward app list shows the registered ones.`);
      return { clientId, deleted: true };
    },

    /** The app behind a client ID, for the provider's Client lookup (undefined: no such client). */
    find: (clientId: string): Promise<OidcAppRecord | undefined> => (isAppClientId(clientId) ? store.read.oidcApps.get(clientId) : Promise.resolve(undefined)),
  };
}

export type OidcAppsService = ReturnType<typeof createOidcAppsService>;
