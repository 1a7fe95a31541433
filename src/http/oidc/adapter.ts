/**
 * oidc-provider's storage adapter over our database (lib/adapters/memory_adapter.js is the
 * interface). Every instance reads and writes the same rows, so grants, codes and replay records
 * are shared. The 'Client' model is not stored here: it is read from the API-client table on
 * every token request, so a revoked client can never obtain another token, on any instance.
 */
import type { Services } from '../../services/index.js';
import type { OidcPayload } from '../../services/oauth-state.js';

/**
 * The client metadata oidc-provider sees. Its `client_secret` is the stored digest: the token
 * route hands the provider the digest of the presented secret (token-route.ts), so the provider
 * compares digest with digest, in constant time, and the secret itself is stored nowhere.
 */
function clientMetadata(clientId: string, secretDigest: string): OidcPayload {
  return {
    client_id: clientId,
    client_secret: secretDigest,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_post',
  };
}

export function adapterFor(services: Services) {
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
        const digest = await services.apiClients.secretDigest(id);
        return digest === undefined ? undefined : clientMetadata(id, digest);
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
      await state.consume(this.model, id);
    }

    async destroy(id: string): Promise<void> {
      await state.destroy(this.model, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await state.revokeByGrantId(grantId);
    }
  };
}
