/**
 * Webhook delivery (issue 13), one endpoint at a time: lease an endpoint whose queue head is due,
 * send its pending deliveries in event order (Standard Webhooks: webhook-id is the event id,
 * webhook-timestamp, webhook-signature with the current secret and, during a rotation, the former
 * one), stop at the first failure (later events wait behind it: ordered per endpoint), and record
 * the outcomes with the retry time (rules/webhook-retries.ts). An instance that dies mid-run
 * records nothing: its lease expires and another instance sends the same deliveries again.
 */
import type { WebhookSender } from '../adapters/webhook-target.js';
import { decideRetry, parseRetryAfter } from '../rules/webhook-retries.js';
import { decryptSecret } from '../security/encryption.js';
import { webhookSigner } from '../security/webhook-signature.js';
import type { EventRecord } from '../store/events.js';
import type { AttemptOutcome } from '../store/webhooks.js';
import type { ServiceDeps } from './index.js';

/** The body of a delivery: the event as the feeds show it. */
export const eventPayload = (e: EventRecord) => ({
  id: e.id, type: e.type, time: e.time.toISOString(), organization: e.organization, actor: e.actor, data: e.data,
});

export interface DeliveryRunOptions {
  readonly workerId: string;
  readonly sender: WebhookSender;
  /** How long a lease lasts (another instance takes over after it). */
  readonly leaseMs: number;
  /** Most deliveries sent per run (then the endpoint goes back to the queue). */
  readonly batch?: number;
  /** Aborted: stop as a crash would (nothing more sent or recorded). */
  readonly halt?: AbortSignal;
  readonly random?: () => number;
}

export function createWebhookDelivery(deps: Pick<ServiceDeps, 'store' | 'clock' | 'secretKey' | 'logger'>) {
  const { store, clock, secretKey, logger } = deps;

  /** Leases one due endpoint and delivers its head; false when none was due. */
  async function runOnce(options: DeliveryRunOptions): Promise<boolean> {
    const claimed = await store.read.webhooks.claimHead(options.workerId, options.leaseMs, clock.now(), options.batch ?? 200);
    if (!claimed) return false;
    const { endpoint, head } = claimed;
    const signers = [webhookSigner(decryptSecret(secretKey, endpoint.secretSealed))];
    if (endpoint.previousSecretSealed !== null && endpoint.previousSecretExpiresAt !== null && endpoint.previousSecretExpiresAt > clock.now()) {
      signers.push(webhookSigner(decryptSecret(secretKey, endpoint.previousSecretSealed)));
    }
    const outcomes: AttemptOutcome[] = [];
    const leaseEnd = Date.now() + options.leaseMs * 0.6;
    for (const delivery of head) {
      if (options.halt?.aborted) return true;
      // Stop before the lease could lapse mid-run (another instance would start sending too).
      if (Date.now() > leaseEnd) break;
      const { event } = delivery;
      if (!event) {
        outcomes.push({ deliveryId: delivery.id, responseStatus: null, error: 'The event is past retention.', durationMs: 0, result: { kind: 'give_up' } });
        continue;
      }
      const body = JSON.stringify(eventPayload(event));
      const at = Math.floor(clock.now().getTime() / 1000);
      const headers = {
        'webhook-id': event.id,
        'webhook-timestamp': String(at),
        // Standard Webhooks: space-separated signatures; the receiver accepts any that verifies.
        'webhook-signature': signers.map((sign) => sign(event.id, at, body)).join(' '),
      };
      const started = performance.now();
      const response = await options.sender.send(endpoint.url, headers, body, options.halt);
      if (options.halt?.aborted) return true;
      const durationMs = performance.now() - started;
      if (response.status !== null && response.status >= 200 && response.status < 300) {
        outcomes.push({ deliveryId: delivery.id, responseStatus: response.status, error: null, durationMs, result: { kind: 'delivered' } });
        continue;
      }
      const now = clock.now();
      const decision = decideRetry({ attempts: delivery.attempts + 1, createdAt: delivery.createdAt, now, status: response.status, retryAfterMs: parseRetryAfter(response.retryAfter, now), jitter: (options.random ?? Math.random)() });
      outcomes.push({ deliveryId: delivery.id, responseStatus: response.status, error: response.error ?? `HTTP ${response.status}`, durationMs, result: decision });
      // A delivery given up on lets the next one go; a retry or a 410 stops the run (order).
      if (decision.kind !== 'give_up') break;
    }
    const recorded = await store.transaction((repos) => repos.webhooks.record(endpoint.id, options.workerId, outcomes, clock.now()));
    if (!recorded) logger.warn('webhook lease lost before recording; another instance sends these again', { endpointId: endpoint.id });
    return true;
  }

  return { runOnce };
}
