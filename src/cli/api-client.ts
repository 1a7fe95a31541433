/**
 * `orgward api-client create|list|revoke` (Organizations API clients of one organization: the
 * secret is shown once) and `orgward operator-client create` (the operator's credential over HTTP).
 */
import { Command, Option } from 'commander';
import { action, group, leaf, orgOption, type CliState } from './command-kit.js';

export function registerApiClientCommands(program: Command, state: CliState): void {
  const clients = group(program, 'api-client', 'Organizations API clients (OAuth 2.0 client credentials)');

  leaf(clients, 'create', 'create an API client; its secret is shown once')
    .addOption(orgOption())
    .addOption(new Option('--role <role>', 'admin (acts as an Administrator) or read-only').choices(['admin', 'read-only']).makeOptionMandatory())
    .option('--name <text>', 'what the client is for, e.g. "billing sync"')
    .action(action(state, async ({ services, actor }, { opts }) => {
      const created = await services.apiClients.create(actor, opts.org as string, { role: opts.role as string, name: opts.name as string | undefined });
      return { clientId: created.clientId, clientSecret: created.clientSecret, role: created.role };
    }, (r) => `API client ${r.clientId} (${r.role}). Secret (shown once; store it now):\n${r.clientSecret}`));

  leaf(clients, 'list', "list the organization's API clients (never their secrets)")
    .addOption(orgOption())
    .action(action(state, async ({ services, actor }, { opts }) => ({
      clients: (await services.apiClients.list(actor, opts.org as string)).map((c) => ({
        clientId: c.clientId, role: c.role, name: c.name, createdBy: c.createdBy, createdAt: c.createdAt, lastUsedAt: c.lastUsedAt, revokedAt: c.revokedAt,
      })),
    }), (r) => (r.clients.length === 0 ? 'No API clients.' : r.clients.map((c) =>
      `${c.clientId}  ${c.role}  ${c.revokedAt ? 'revoked' : 'live'}  ${c.name ?? ''}  last used ${c.lastUsedAt ? new Date(c.lastUsedAt).toISOString() : 'never'}`).join('\n'))));

  leaf(clients, 'revoke', 'revoke an API client at once (its tokens stop working on the next request)')
    .addOption(orgOption())
    .argument('<clientId>', 'the client ID (OQ…)')
    .action(action(state, async ({ services, actor }, { args, opts }) => services.apiClients.revoke(actor, opts.org as string, args[0]!),
      (r) => (r.revoked ? `Revoked API client ${r.clientId}.` : `API client ${r.clientId} was already revoked.`)));

  const operators = group(program, 'operator-client', 'operator credentials for the Organizations API');

  leaf(operators, 'create', 'create an operator client; its secret is shown once')
    .option('--name <text>', 'what the client is for')
    .action(action(state, async ({ services, actor }, { opts }) => {
      const created = await services.apiClients.createOperatorClient(actor, { name: opts.name as string | undefined });
      return { clientId: created.clientId, clientSecret: created.clientSecret };
    }, (r) => `Operator client ${r.clientId}. Secret (shown once; store it now):\n${r.clientSecret}`));
}
