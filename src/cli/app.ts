/**
 * `orgward app create|list|delete` (the product's apps, OpenID Connect clients registered by the
 * operator: first-party, the secret shown once) and `orgward oidc rotate-keys` (a new signing key;
 * the former one stays published until its tokens expire).
 */
import type { Command } from 'commander';
import { action, group, leaf, type CliState } from './command-kit.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerAppCommands(program: Command, state: CliState): void {
  const apps = group(program, 'app', "the product's apps (OpenID Connect clients of Orgward)");

  leaf(apps, 'create', 'register an app; a confidential app gets a secret, shown once')
    .requiredOption('--name <name>', 'what the app is called')
    .requiredOption('--redirect-uri <uri>', 'a redirect URI, compared exactly (repeat for several)', collect)
    .option('--public', 'a public app (browser or native): no secret, PKCE with S256 required')
    .option('--backchannel-logout-uri <uri>', 'where Orgward posts logout tokens when it ends a session')
    .action(action(state, async ({ services, actor }, { opts }) => services.oidcApps.create(actor, {
      name: opts.name, redirectUris: opts.redirectUri, public: opts.public === true, backchannelLogoutUri: opts.backchannelLogoutUri,
    }), (r) => (r.clientSecret === undefined ? `App ${r.clientId} (public: use PKCE).`
      : `App ${r.clientId}. Secret (shown once; store it now):\n${r.clientSecret}`)));

  leaf(apps, 'list', 'list the registered apps (never their secrets)')
    .action(action(state, async ({ services, actor }) => ({ apps: await services.oidcApps.list(actor) }),
      (r) => (r.apps.length === 0 ? 'No apps.' : r.apps.map((a) => `${a.clientId}  ${a.public ? 'public' : 'confidential'}  ${a.name}  ${a.redirectUris.join(' ')}`).join('\n'))));

  leaf(apps, 'delete', 'delete an app: its grants and tokens stop working at once')
    .argument('<clientId>', 'the client ID (AP…)')
    .action(action(state, async ({ services, actor }, { args }) => services.oidcApps.delete(actor, args[0]!), (r) => `Deleted app ${r.clientId}.`));

  const oidc = group(program, 'oidc', "Orgward's OpenID provider");

  leaf(oidc, 'rotate-keys', 'make a new signing key; the former ones stay published until their tokens expire')
    .action(action(state, async ({ services, actor }) => services.oidcKeys.rotate(actor),
      (r) => `Signing with ${r.kid}; ${r.retired.length === 0 ? 'no key retired' : `${r.retired.join(', ')} published until ${r.retiredPublishedUntil.toISOString()}`}.`));
}
