/**
 * `services.sso`: connections, enforcement and test sign-ins (sso-connections.ts) together with
 * the single-use login state the protocol adapters keep (sso-login.ts).
 */
import type { ServiceDeps } from './index.js';
import { createSsoConnectionService } from './sso-connections.js';
import { createSsoLoginService } from './sso-login.js';

export function createSsoService(deps: ServiceDeps) {
  return { ...createSsoConnectionService(deps), ...createSsoLoginService(deps) };
}

export type SsoService = ReturnType<typeof createSsoService>;
