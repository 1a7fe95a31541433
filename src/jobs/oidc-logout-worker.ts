/**
 * Delivers back-channel logout tokens to the product's apps (services/oidc-logout.ts) in the
 * background: polls for due notices, sends them over HTTP (5 s timeout, no redirects followed),
 * and looks again at once while there were some. Started with the server (main.ts); tests call
 * `runOnce()` directly.
 */
import type { Logger } from '../logger.js';
import type { LogoutSender, OidcLogoutService } from '../services/oidc-logout.js';

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
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const runOnce = () => deps.oidcLogout.deliverDue(send);
  const tick = () => {
    running = (async () => {
      try {
        while (!stopped && (await runOnce()) > 0) { /* more may be due */ }
      } catch (error) {
        deps.logger.warn('back-channel logout delivery failed; retrying', { error });
      }
    })().finally(() => {
      running = undefined;
      if (!stopped) timer = setTimeout(tick, deps.pollMs ?? OIDC_LOGOUT_POLL_MS);
    });
  };
  return {
    runOnce,
    start() { if (!timer && !running) tick(); },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
