/**
 * The single-use state of SSO logins, kept in the database so every instance shares it: the
 * SAML requests we issued (S3: a response must answer one), and OIDC login transactions (state,
 * nonce and PKCE verifier), each bound to the connection it was made for and to the browser that
 * started it (a cookie whose digest is stored), so a response or callback carried to another
 * browser (login CSRF, session fixation) finds nothing. Every write goes through a transaction.
 */
import { DomainError } from '../errors.js';
import { decryptSecret, encryptSecret } from '../security/encryption.js';
import { hashToken } from '../security/tokens.js';
import type { ServiceDeps } from './index.js';
import type { SsoPurpose } from './sso-types.js';

/** How long a started login may take at the IdP. */
export const LOGIN_TTL_MS = 10 * 60 * 1000;

/** The one refusal of a login state that is unknown, used, expired or not this browser's. */
export function loginStateInvalid(reason: string): DomainError {
  return new DomainError('sso_response_invalid', 'This sign-in could not be completed: it expired, was already used, or was started in another browser. Start again from the sign-in page.', { cause: new Error(reason) });
}

/** Expired login state is dropped at most this often per process, when logins start. */
const PURGE_EVERY_MS = 10 * 60 * 1000;

export function createSsoLoginService(deps: Pick<ServiceDeps, 'store' | 'clock' | 'secretKey' | 'logger'>) {
  const { store, clock, secretKey } = deps;
  let lastPurge = 0;
  const purgeNowAndThen = (now: Date): void => {
    if (now.getTime() - lastPurge < PURGE_EVERY_MS) return;
    lastPurge = now.getTime();
    store.transaction((repos) => repos.ssoLoginState.purgeExpired(now)).catch((error: unknown) => deps.logger.warn('purging expired login state failed', { error }));
  };
  return {
    /**
     * Records an AuthnRequest we are about to send (node-saml's cache "save"), bound to the browser
     * cookie `browserToken`; `linkUserSid` is the Owner a test sign-in may link (S6).
     */
    async saveSamlRequest(input: { requestId: string; connectionId: string; purpose: SsoPurpose; relayState: string | null; browserToken: string; linkUserSid: string | null }): Promise<void> {
      const now = clock.now();
      purgeNowAndThen(now);
      await store.transaction((repos) => repos.ssoLoginState.saveSamlRequest({
        id: input.requestId, connectionId: input.connectionId, purpose: input.purpose, relayState: input.relayState,
        browserHash: hashToken(input.browserToken), linkUserSid: input.linkUserSid, now, expiresAt: new Date(now.getTime() + LOGIN_TTL_MS),
      }));
    },

    /**
     * A live request of this connection, not consumed (node-saml's cache "get"); its issue time,
     * or null. Consumption happens atomically in signIn.completeSso.
     */
    async peekSamlRequest(requestId: string, connectionId: string): Promise<{ issuedAt: Date; purpose: SsoPurpose; relayState: string | null } | null> {
      if (typeof requestId !== 'string' || requestId.length === 0 || requestId.length > 256) return null;
      const r = await store.read.ssoLoginState.peekSamlRequest(requestId, connectionId, clock.now());
      return r ? { issuedAt: r.createdAt, purpose: r.purpose, relayState: r.relayState } : null;
    },

    /** Stores an OIDC login transaction; `browserToken` is the login cookie's value. */
    async beginOidc(input: { connectionId: string; orgSid: string; purpose: SsoPurpose; state: string; nonce: string; codeVerifier: string; browserToken: string; linkUserSid: string | null }): Promise<void> {
      const now = clock.now();
      purgeNowAndThen(now);
      await store.transaction((repos) => repos.ssoLoginState.saveOidcTransaction({
        stateHash: hashToken(input.state), connectionId: input.connectionId, orgSid: input.orgSid, browserHash: hashToken(input.browserToken),
        purpose: input.purpose, nonce: input.nonce, codeVerifierEncrypted: encryptSecret(secretKey, input.codeVerifier), linkUserSid: input.linkUserSid,
        now, expiresAt: new Date(now.getTime() + LOGIN_TTL_MS),
      }));
    },

    /**
     * Consumes the OIDC transaction of `state` for this connection and browser (DELETE ...
     * RETURNING: a replayed callback, another browser or another connection finds nothing).
     */
    async consumeOidc(input: { connectionId: string; state: unknown; browserToken: string | undefined }): Promise<{ purpose: SsoPurpose; nonce: string; codeVerifier: string; state: string; orgSid: string; linkUserSid: string | null }> {
      const { state, browserToken } = input;
      if (typeof state !== 'string' || state.length === 0 || state.length > 512) throw loginStateInvalid('callback without state');
      if (typeof browserToken !== 'string' || browserToken.length === 0) throw loginStateInvalid('callback without the login cookie');
      const t = await store.transaction((repos) => repos.ssoLoginState.consumeOidcTransaction(hashToken(state), input.connectionId, hashToken(browserToken), clock.now()));
      if (!t) throw loginStateInvalid('no live transaction for this state, connection and browser');
      return { purpose: t.purpose, nonce: t.nonce, codeVerifier: decryptSecret(secretKey, t.codeVerifierEncrypted), state, orgSid: t.orgSid, linkUserSid: t.linkUserSid };
    },

    /** Drops expired login state (called from time to time). */
    async purgeExpired(): Promise<number> {
      return store.transaction((repos) => repos.ssoLoginState.purgeExpired(clock.now()));
    },
  };
}
