/**
 * createServices wires the use cases over one Store. Each service loads what a rule needs, asks the
 * rule, persists the decision in one transaction and writes the audit entry in that transaction.
 */
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/index.js';
import type { TxtLookup } from '../adapters/dns.js';
import type { Mailer } from '../adapters/mailer.js';

export interface ServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly dns: TxtLookup;
  readonly mailer: Mailer;
  readonly logger: Logger;
  /** Public base URL, for links in mail. */
  readonly baseUrl: string;
  /** Key that encrypts secrets at rest. */
  readonly secretKey: Buffer;
}

export function createServices(deps: ServiceDeps) {
  return {
    deps,
  };
}

export type Services = ReturnType<typeof createServices>;
