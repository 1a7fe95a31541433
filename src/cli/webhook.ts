/**
 * `orgward webhook add|list|remove|deliveries|replay|rotate-secret` (issue 13): product-wide
 * webhooks (no --org: every organization's events, for the product's back end) and an
 * organization's own (--org SID). The signing secret is shown once, by add and rotate-secret.
 */
import { Command, Option } from 'commander';
import { action, group, leaf, type CliState } from './command-kit.js';
import type { WebhookEndpointView } from '../services/webhooks.js';

const collect = (value: string, previous: string[]) => [...previous, value];
const orgOf = (opts: Record<string, unknown>) => (opts.org as string | undefined) ?? null;
const scopeOption = () => new Option('--org <sid>', 'organization SID (OR…); without it: product-wide (every organization)');
const json = (w: WebhookEndpointView) => ({ id: w.id, orgSid: w.orgSid, url: w.url, types: w.types, enabled: w.enabled, disabledReason: w.disabledReason, createdBy: w.createdBy, createdAt: w.createdAt });

export function registerWebhookCommands(program: Command, state: CliState): void {
  const hooks = group(program, 'webhook', 'webhooks: signed deliveries of lifecycle events (Standard Webhooks)');

  leaf(hooks, 'add', 'add a webhook; its signing secret is shown once')
    .addOption(scopeOption())
    .requiredOption('--url <url>', 'where deliveries are POSTed')
    .option('--type <type>', 'an event type such as user.suspended, or user.* (repeat for several; none: all)', collect, [])
    .action(action(state, async ({ services, actor }, { opts }) => {
      const { endpoint, secret } = await services.webhooks.add(actor, orgOf(opts), { url: opts.url as string, types: opts.type as string[] });
      return { id: endpoint.id, secret };
    }, (r) => `Webhook ${r.id}. Signing secret (shown once; store it now):\n${r.secret}`));

  leaf(hooks, 'list', 'list webhooks (never their secrets)')
    .addOption(scopeOption())
    .action(action(state, async ({ services, actor }, { opts }) => ({ webhooks: (await services.webhooks.list(actor, orgOf(opts))).map(json) }),
      (r) => (r.webhooks.length === 0 ? 'No webhooks.' : r.webhooks.map((w) => `${w.id}  ${w.enabled ? 'enabled' : `disabled (${w.disabledReason})`}  ${w.url}  [${w.types.join(', ') || 'all events'}]`).join('\n'))));

  leaf(hooks, 'remove', 'remove a webhook (what waits for it is dropped)')
    .addOption(scopeOption())
    .argument('<id>', 'the webhook id (WH…)')
    .action(action(state, async ({ services, actor }, { args, opts }) => {
      await services.webhooks.remove(actor, orgOf(opts), args[0]!);
      return { id: args[0]!, removed: true };
    }, (r) => `Removed webhook ${r.id}.`));

  leaf(hooks, 'deliveries', 'the delivery log of a webhook, newest first')
    .addOption(scopeOption())
    .argument('<id>', 'the webhook id (WH…)')
    .action(action(state, async ({ services, actor }, { args, opts }) => ({ deliveries: await services.webhooks.deliveries(actor, orgOf(opts), args[0]!) }),
      (r) => (r.deliveries.length === 0 ? 'No deliveries.' : r.deliveries.map((d) => `${d.eventId}  ${d.status}  attempts ${d.attempts}  last ${d.lastStatus ?? d.lastError ?? '-'}`).join('\n'))));

  leaf(hooks, 'replay', 'send an event to a webhook again (same webhook-id)')
    .addOption(scopeOption())
    .argument('<id>', 'the webhook id (WH…)')
    .requiredOption('--event <id>', 'the event id (EV…)')
    .action(action(state, async ({ services, actor }, { args, opts }) => {
      await services.webhooks.replay(actor, orgOf(opts), args[0]!, opts.event as string);
      return { id: args[0]!, event: opts.event as string, queued: true };
    }, (r) => `Queued ${r.event} for webhook ${r.id}.`));

  leaf(hooks, 'rotate-secret', 'a new signing secret; the former one signs too for 24 hours')
    .addOption(scopeOption())
    .argument('<id>', 'the webhook id (WH…)')
    .action(action(state, async ({ services, actor }, { args, opts }) => {
      const r = await services.webhooks.rotateSecret(actor, orgOf(opts), args[0]!);
      return { id: args[0]!, secret: r.secret, previousSecretExpiresAt: r.previousExpiresAt };
    }, (r) => `New signing secret for ${r.id} (the former one works until ${r.previousSecretExpiresAt.toISOString()}):\n${r.secret}`));
}
