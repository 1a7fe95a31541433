/**
 * oidc-provider's storage adapter over our database (lib/adapters/memory_adapter.js is the
 * interface). Every instance reads and writes the same rows, so sessions, grants, codes, refresh
 * tokens and replay records are shared. The 'Client' model is not stored here: it is read from the
 * API-client and app tables on every lookup, so a revoked client or deleted app can never obtain
 * another token, on any instance.
 */
import type { errors as OidcErrors } from 'oidc-provider';
import type { Services } from '../../services/index.js';
import type { OidcPayload } from '../../services/oauth-state.js';
import type { OidcAppRecord } from '../../services/oidc-apps.js';

/**
 * The client metadata oidc-provider sees. Its `client_secret` is the stored digest: the client
 * authentication middleware (client-auth.ts) hands the provider the digest of the presented
 * secret, so the provider compares digest with digest, in constant time, and the secret itself is
 * stored nowhere.
 */
function apiClientMetadata(clientId: string, secretDigest: string): OidcPayload {
  return {
    client_id: clientId,
    client_secret: secretDigest,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_post',
  };
}

/**
 * A product app: authorization code (+ refresh tokens). Basic and post authentication both reach
 * the provider as `client_secret_post` (client-auth.ts); a public app authenticates with nothing
 * and must use PKCE (the provider requires it for `none`).
 */
function appMetadata(app: OidcAppRecord): OidcPayload {
  return {
    client_id: app.clientId,
    client_name: app.name,
    ...(app.secretHash !== null && { client_secret: app.secretHash }),
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [...app.redirectUris],
    post_logout_redirect_uris: [...app.redirectUris],
    token_endpoint_auth_method: app.public ? 'none' : 'client_secret_post',
    id_token_signed_response_alg: 'RS256',
    ...(app.backchannelLogoutUri !== null && { backchannel_logout_uri: app.backchannelLogoutUri, backchannel_logout_session_required: false }),
  };
}

/** `errors` is oidc-provider's, passed in: the package is imported only when a provider is built (provider.ts). */
export function adapterFor(services: Services, errors: typeof OidcErrors) {
  const state = services.oauthState;
  return class OrgwardOidcAdapter {
    readonly model: string;

    constructor(model: string) {
      this.model = model;
    }

    async upsert(id: string, payload: OidcPayload, expiresIn?: number): Promise<void> {
      await state.upsert(this.model, id, payload, expiresIn);
    }

    async find(id: string): Promise<OidcPayload | undefined> {
      if (this.model === 'Client') {
        const app = await services.oidcApps.find(id);
        if (app) return appMetadata(app);
        const digest = await services.apiClients.secretDigest(id);
        return digest === undefined ? undefined : apiClientMetadata(id, digest);
      }
      return state.find(this.model, 'id', id);
    }

    async findByUserCode(userCode: string): Promise<OidcPayload | undefined> {
      return state.find(this.model, 'user_code', userCode);
    }

    async findByUid(uid: string): Promise<OidcPayload | undefined> {
      return state.find(this.model, 'uid', uid);
    }

    async consume(id: string): Promise<void> {
      if (await state.consume(this.model, id)) return;
      // Used twice at once: the provider read it unconsumed in both requests. The loser is
      // treated as the reuse it is (the grant ends, as for a replayed refresh token).
      const payload = await state.find(this.model, 'id', id);
      if (typeof payload?.grantId === 'string') {
        // As the provider's own reuse handling does: the grant's tokens and the grant itself (a
        // token the winner saves afterwards then finds no grant).
        await state.revokeByGrantId(payload.grantId);
        await state.destroy('Grant', payload.grantId);
      }
      throw new errors.InvalidGrant(`${this.model === 'RefreshToken' ? 'refresh token' : 'grant'} already used`);
    }

    async destroy(id: string): Promise<void> {
      await state.destroy(this.model, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await state.revokeByGrantId(grantId);
    }
  };
}
