/**
 * `services.sso`: connections, enforcement and test sign-ins (sso-connections.ts), changes to
 * connections (sso-connection-changes.ts) together with the single-use login state the protocol adapters keep (sso-login.ts).
 */
import type { ServiceDeps } from './index.js';
import { createSsoConnectionChanges } from './sso-connection-changes.js';
import { createSsoConnectionService } from './sso-connections.js';
import { createSsoLoginService } from './sso-login.js';

export function createSsoService(deps: ServiceDeps) {
  return { ...createSsoConnectionService(deps), ...createSsoConnectionChanges(deps), ...createSsoLoginService(deps) };
}

export type SsoService = ReturnType<typeof createSsoService>;
