/**
 * The OAuth server's shared state (oidc-provider's adapter rows), so every instance sees the same
 * grants, codes and replay records. Expiry is judged by the service clock.
 */
import type { OidcPayload } from '../store/oidc-payloads.js';
import type { ServiceDeps } from './index.js';

export type { OidcPayload } from '../store/oidc-payloads.js';

export function createOauthStateService(deps: ServiceDeps) {
  const { clock } = deps;
  const repos = deps.store.read;
  return {
    upsert: (model: string, id: string, payload: OidcPayload, expiresInSeconds: number | undefined) =>
      repos.oidcPayloads.upsert(model, id, payload, expiresInSeconds ? new Date(clock.now().getTime() + expiresInSeconds * 1000) : null),
    find: (model: string, by: 'id' | 'uid' | 'user_code', value: string) => repos.oidcPayloads.find(model, by, value, clock.now()),
    consume: (model: string, id: string) => repos.oidcPayloads.consume(model, id, clock.now()),
    destroy: (model: string, id: string) => repos.oidcPayloads.destroy(model, id),
    revokeByGrantId: (grantId: string) => repos.oidcPayloads.revokeByGrantId(grantId),
    /** How the person behind a grant signed in (amr), for userinfo (access tokens do not carry it). */
    amrOfGrant: (grantId: string) => repos.oidcPayloads.amrOfGrant(grantId),
  };
}

export type OauthStateService = ReturnType<typeof createOauthStateService>;
