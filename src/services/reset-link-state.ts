/**
 * Whether a password-reset link (U3) still works, so that its page says "used" or "expired" at
 * once instead of showing a form that cannot succeed. Completing a reset is passwords.completeReset.
 */
import { decideLinkState, type LinkState } from '../rules/mailed-links.js';
import { hashToken } from '../security/tokens.js';
import type { ServiceDeps } from './index.js';

/** createResetLinkState: the state of a reset link. */
export function createResetLinkState(deps: ServiceDeps) {
  const { store, clock } = deps;
  return {
    async state(token: string): Promise<LinkState> {
      if (typeof token !== 'string' || token === '' || token.length > 128) return 'unknown';
      return decideLinkState(await store.read.tokens.find(hashToken(token), 'password_reset'), clock.now());
    },
  };
}
