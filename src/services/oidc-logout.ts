/**
 * Back-channel logout (OpenID Connect Back-Channel Logout 1.0) for sessions that Orgward ends
 * itself: suspension, removal, SCIM deactivation, password reset, SSO enforcement… The session
 * store writes a notice per app in the transaction that ends the sessions
 * (store/oidc-session-ends.ts); this sends each one as a signed logout token, from any instance
 * (the claim skips rows another instance holds), retrying with backoff while the app fails.
 */
import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import type { ServiceDeps } from './index.js';
import type { OidcKeysService, PrivateJwk } from './oidc-keys.js';

/** §2.6: the event that makes a JWT a logout token. */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const BATCH = 20;
const MAX_ATTEMPTS = 10;
const LOGOUT_TOKEN_TTL_SECONDS = 120;

/** POSTs `logout_token=…` to the app; resolves to the HTTP status (0 when unreachable). */
export type LogoutSender = (uri: string, logoutToken: string) => Promise<number>;

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function createOidcLogoutService(deps: ServiceDeps, keys: OidcKeysService) {
  const { store, clock, logger, baseUrl } = deps;

  function logoutToken(jwk: PrivateJwk, clientId: string, userSid: string): string {
    const iat = Math.floor(clock.now().getTime() / 1000);
    const input = `${b64({ alg: 'RS256', kid: jwk.kid, typ: 'logout+jwt' })}.${b64({
      iss: baseUrl, aud: clientId, iat, exp: iat + LOGOUT_TOKEN_TTL_SECONDS, jti: randomUUID(), sub: userSid, events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    })}`;
    const signature = sign('sha256', Buffer.from(input), createPrivateKey({ key: jwk as never, format: 'jwk' }));
    return `${input}.${signature.toString('base64url')}`;
  }

  return {
    /** Sends the notices that are due; the number handled (delivered, retried later or given up). */
    async deliverDue(send: LogoutSender): Promise<number> {
      // Read before the transaction: the embedded database has one connection, which it holds.
      const jwk = (await keys.published()).keys[0]!;
      return store.transaction(async (repos) => {
        const due = await repos.oidcLogoutNotices.claimDue(BATCH);
        for (const notice of due) {
          const app = await repos.oidcApps.get(notice.clientId);
          if (!app?.backchannelLogoutUri) { await repos.oidcLogoutNotices.abandon(notice.id, clock.now()); continue; }
          const status = await send(app.backchannelLogoutUri, logoutToken(jwk, app.clientId, notice.userSid));
          if (status >= 200 && status < 300) {
            await repos.oidcLogoutNotices.delivered(notice.id, status, clock.now());
          } else if (notice.attempts + 1 >= MAX_ATTEMPTS) {
            logger.warn('back-channel logout given up', { clientId: notice.clientId, status });
            await repos.oidcLogoutNotices.abandon(notice.id, clock.now());
          } else {
            // 30 s, 1 min, 2 min … (about 4 hours in all).
            const delay = 30_000 * 2 ** notice.attempts;
            await repos.oidcLogoutNotices.failed(notice.id, status || null, delay);
          }
        }
        return due.length;
      });
    },
  };
}

export type OidcLogoutService = ReturnType<typeof createOidcLogoutService>;
