/**
 * Webhook endpoints (issue 13): product-wide ones (the operator: every organization's events) and
 * an organization's own (its Owner, Administrators and admin API clients: manage_settings, O3;
 * another organization's endpoint is 404). The signing secret (Standard Webhooks, `whsec_…`) is
 * shown once and sealed at rest; a rotation keeps the former secret signing alongside the new one
 * for an overlap. Targets must be public addresses unless the operator allows private ones (SSRF).
 */
import { randomBytes } from 'node:crypto';
import { checkTarget } from '../adapters/webhook-target.js';
import { DomainError } from '../errors.js';
import { eventTypeOf, isEventTypeFilter } from '../rules/event-types.js';
import { decideOperatorOnly } from '../rules/operator.js';
import { encryptSecret } from '../security/encryption.js';
import type { DeliveryLogEntry, WebhookEndpointRecord } from '../store/webhooks.js';
import type { Repos } from '../store/index.js';
import { actorLabel, type Actor } from '../types.js';
import { audit, authorize, fail } from './context.js';
import type { ServiceDeps } from './index.js';

/** An endpoint as callers see it (never its secret). */
export interface WebhookEndpointView {
  readonly id: string;
  readonly orgSid: string | null;
  readonly url: string;
  readonly types: readonly string[];
  readonly enabled: boolean;
  readonly disabledReason: string | null;
  readonly createdBy: string;
  readonly createdAt: Date;
}

const view = (e: WebhookEndpointRecord): WebhookEndpointView => ({
  id: e.id, orgSid: e.orgSid, url: e.url, types: e.types, enabled: e.enabled, disabledReason: e.disabledReason, createdBy: e.createdBy, createdAt: e.createdAt,
});

/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64. */
const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;
const MAX_ENDPOINTS = 50;
const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

export function createWebhooksService(deps: ServiceDeps) {
  const { store, clock, secretKey } = deps;
  const allowPrivate = deps.events?.allowPrivateTargets ?? false;

  /** Who may manage endpoints at this level: the operator product-wide, an organization's administrators for theirs. */
  async function gate(repos: Repos, actor: Actor, orgSid: string | null, write: boolean): Promise<void> {
    if (orgSid === null) {
      const d = decideOperatorOnly(actor.kind, 'manage product-wide webhooks (give an organization to manage its own)');
      if (d.kind === 'reject') fail(d);
      return;
    }
    await authorize(repos, actor, orgSid, write ? 'manage_settings' : 'view_audit');
  }

  async function endpointIn(repos: Repos, orgSid: string | null, id: string, lock = false): Promise<WebhookEndpointRecord> {
    const endpoint = typeof id === 'string' && /^WH[0-9a-f]{32}$/.test(id) ? await (lock ? repos.webhooks.lock(id) : repos.webhooks.get(id)) : undefined;
    if (!endpoint || endpoint.orgSid !== orgSid) throw new DomainError('not_found', `There is no webhook ${String(id).slice(0, 40)} here; orgward webhook list shows them.`);
    return endpoint;
  }

  return {
    /** Adds an endpoint; returns it with its secret (shown this once). */
    async add(actor: Actor, orgSid: string | null, input: { url: string; types?: readonly string[] | undefined }): Promise<{ endpoint: WebhookEndpointView; secret: string }> {
      await gate(store.read, actor, orgSid, true);
      const types = [...new Set(input.types ?? [])].sort();
      for (const t of types) if (!isEventTypeFilter(t)) throw new DomainError('invalid_input', `"${t}" is not an event type: use one such as user.suspended, or user.* for a family.`);
      // SSRF: refused now, and again at every delivery (the name may resolve elsewhere later).
      await checkTarget(input.url, allowPrivate);
      const secret = newSecret();
      // Events committed before the endpoint are sequenced first: it receives what happens from now on.
      await store.transaction((repos) => repos.events.sequenceBatch(eventTypeOf, 100_000, clock.now()));
      const endpoint = await store.transaction(async (repos) => {
        await gate(repos, actor, orgSid, true);
        if ((await repos.webhooks.list(orgSid)).length >= MAX_ENDPOINTS) throw new DomainError('conflict', `At most ${MAX_ENDPOINTS} webhooks per organization (or product-wide); remove one first.`);
        const created = await repos.webhooks.insert({ id: `WH${randomBytes(16).toString('hex')}`, orgSid, url: input.url, types, secretSealed: encryptSecret(secretKey, secret), createdBy: actorLabel(actor) });
        if (orgSid !== null) await audit(repos, actor, { orgSid, action: 'webhook.created', target: created.id, after: { url: created.url, types } });
        return created;
      });
      return { endpoint: view(endpoint), secret };
    },

    async list(actor: Actor, orgSid: string | null): Promise<WebhookEndpointView[]> {
      await gate(store.read, actor, orgSid, false);
      return (await store.read.webhooks.list(orgSid)).map(view);
    },

    async remove(actor: Actor, orgSid: string | null, id: string): Promise<void> {
      await store.transaction(async (repos) => {
        await gate(repos, actor, orgSid, true);
        const endpoint = await endpointIn(repos, orgSid, id, true);
        await repos.webhooks.delete(endpoint.id);
        if (orgSid !== null) await audit(repos, actor, { orgSid, action: 'webhook.deleted', target: endpoint.id, before: { url: endpoint.url } });
      });
    },

    /** A new secret; the former one keeps signing (a second signature) for 24 hours. */
    async rotateSecret(actor: Actor, orgSid: string | null, id: string): Promise<{ secret: string; previousExpiresAt: Date }> {
      const secret = newSecret();
      const previousExpiresAt = new Date(clock.now().getTime() + ROTATION_OVERLAP_MS);
      await store.transaction(async (repos) => {
        await gate(repos, actor, orgSid, true);
        const endpoint = await endpointIn(repos, orgSid, id, true);
        await repos.webhooks.rotateSecret(endpoint.id, encryptSecret(secretKey, secret), previousExpiresAt);
        if (orgSid !== null) await audit(repos, actor, { orgSid, action: 'webhook.secret_rotated', target: endpoint.id });
      });
      return { secret, previousExpiresAt };
    },

    /**
     * Turns a disabled endpoint (410) back on (Standard Webhooks / Svix semantics): the delivery that
     * was waiting when it was disabled (the one answered 410, and any behind it) is sent again, then
     * events from now on. Events of the time it was off were never queued for it: they stay in the
     * feeds, and are not sent. Events committed before this call are sequenced first, in this
     * transaction while the endpoint is still off, so "while off" does not depend on when the
     * background sequencer last ran.
     */
    async enable(actor: Actor, orgSid: string | null, id: string): Promise<WebhookEndpointView> {
      return store.transaction(async (repos) => {
        await gate(repos, actor, orgSid, true);
        // The sequencer's lock before the endpoint's row, the order the sequencer itself takes them.
        await repos.events.sequenceBatch(eventTypeOf, 100_000, clock.now());
        const endpoint = await endpointIn(repos, orgSid, id, true);
        await repos.webhooks.enable(endpoint.id, clock.now());
        if (orgSid !== null) await audit(repos, actor, { orgSid, action: 'webhook.enabled', target: endpoint.id });
        return view((await repos.webhooks.get(endpoint.id))!);
      });
    },

    /** The delivery log, newest first. */
    async deliveries(actor: Actor, orgSid: string | null, id: string, limit = 100): Promise<DeliveryLogEntry[]> {
      await gate(store.read, actor, orgSid, false);
      const endpoint = await endpointIn(store.read, orgSid, id);
      return store.read.webhooks.deliveries(endpoint.id, Math.min(Math.max(limit, 1), 1000));
    },

    /** Sends an event to the endpoint again (a new retry window; same webhook-id). */
    async replay(actor: Actor, orgSid: string | null, id: string, eventId: string): Promise<void> {
      await store.transaction(async (repos) => {
        await gate(repos, actor, orgSid, true);
        const endpoint = await endpointIn(repos, orgSid, id, true);
        if (!(await repos.webhooks.replay(endpoint.id, eventId, clock.now()))) throw new DomainError('not_found', `Event ${String(eventId).slice(0, 40)} was not sent to this webhook (or is past retention).`);
      });
    },
  };
}

export type WebhooksService = ReturnType<typeof createWebhooksService>;
