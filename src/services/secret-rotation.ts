/**
 * Key rotation: re-encrypts every secret at rest with the primary key, so an old key can then be
 * removed from SECRET_KEYS. One transaction with the rows locked: a secret written meanwhile waits,
 * and a value no configured key opens fails the whole run (nothing half-rotated).
 */
import { DomainError } from '../errors.js';
import { encryptSecret, openSealed, type Keyring } from '../security/encryption.js';
import type { Store } from '../store/index.js';

export interface TableCounts { reencrypted: number; unchanged: number }

/** Re-seals with the primary key every value an older key sealed; counts per table. */
export async function reencryptSecrets(store: Store, ring: Keyring): Promise<Record<string, TableCounts>> {
  return store.transaction(async (repos) => {
    const counts: Record<string, TableCounts> = {};
    for (const column of await repos.sealedColumns.columns()) {
      const tally = (counts[column.table] ??= { reencrypted: 0, unchanged: 0 });
      for (const { key, sealed } of await repos.sealedColumns.lockValues(column)) {
        let opened;
        try {
          opened = openSealed(ring, sealed);
        } catch (error) {
          throw new DomainError('secret_key_missing',
            `${column.table}.${column.column} (${key}) was encrypted with a key that is not configured. ` +
            'Add that key after the new one in SECRET_KEYS (SECRET_KEYS=new,old) and run `orgward secrets reencrypt` again.', { cause: error });
        }
        if (opened.sealedWithPrimary) { tally.unchanged++; continue; }
        await repos.sealedColumns.replaceValue(column, key, encryptSecret(ring, opened.plaintext));
        tally.reencrypted++;
      }
    }
    return counts;
  });
}
