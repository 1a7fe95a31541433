/**
 * Delivers back-channel logout tokens to the product's apps (services/oidc-logout.ts) in the
 * background: polls for due notices, sends them over HTTP (5 s timeout, no redirects followed),
 * and looks again at once while there were some. Started with the server (main.ts); tests call
 * `runOnce()` directly.
 */
import type { Logger } from '../logger.js';
import type { LogoutSender, OidcLogoutService } from '../services/oidc-logout.js';
import { createPollLoop } from './poll-loop.js';

export const OIDC_LOGOUT_POLL_MS = 1000;

/** POSTs the logout token as a form (§2.5); the status, or 0 when the app is unreachable. */
export const httpLogoutSender: LogoutSender = async (uri, logoutToken) => {
  try {
    const res = await fetch(uri, {
      method: 'POST', redirect: 'manual', signal: AbortSignal.timeout(5000),
      headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ logout_token: logoutToken }).toString(),
    });
    await res.body?.cancel();
    return res.status;
  } catch {
    return 0;
  }
};

export interface OidcLogoutWorker {
  runOnce(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

export function createOidcLogoutWorker(deps: { oidcLogout: OidcLogoutService; logger: Logger; send?: LogoutSender; pollMs?: number }): OidcLogoutWorker {
  const send = deps.send ?? httpLogoutSender;
  const runOnce = () => deps.oidcLogout.deliverDue(send);
  const loop = createPollLoop({ round: async () => (await runOnce()) > 0, intervalMs: deps.pollMs ?? OIDC_LOGOUT_POLL_MS, logger: deps.logger, name: 'back-channel logout delivery' });
  return { runOnce, start: () => loop.start(), stop: () => loop.stop() };
}
