/** `orgward secrets reencrypt`: the last step of a key rotation (README, "Secret key"). */
import type { Command } from 'commander';
import { reencryptSecrets } from '../services/secret-rotation.js';
import { action, group, leaf, type CliState } from './command-kit.js';

export function registerSecretsCommands(program: Command, state: CliState): void {
  const secrets = group(program, 'secrets', 'secrets at rest: re-encrypt them with the primary key after a key rotation');
  leaf(secrets, 'reencrypt', 're-encrypt every secret at rest with the first key of SECRET_KEYS (or SECRET_KEY)')
    .action(action(state, async ({ runtime }) => {
      const tables = await reencryptSecrets(runtime.store, runtime.keyring);
      const reencrypted = Object.values(tables).reduce((n, t) => n + t.reencrypted, 0);
      return { reencrypted, tables };
    }, (r) => [
      r.reencrypted === 0 ? 'Every secret is already encrypted with the primary key.' : `Re-encrypted ${r.reencrypted} secret(s) with the primary key.`,
      ...Object.entries(r.tables).map(([table, c]) => `  ${table}: ${c.reencrypted} re-encrypted, ${c.unchanged} unchanged`),
      ...(r.reencrypted > 0 ? ['Older keys can now be removed from SECRET_KEYS.'] : []),
    ].join('\n')));
}
