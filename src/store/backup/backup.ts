/** `orgward backup`: one snapshot of every table, streamed into a compressed, versioned file (file-format.ts). */
import { DomainError } from '../../errors.js';
import { keyFingerprint } from '../../security/key-fingerprint.js';
import type { Db } from '../db.js';
import { readCatalog, schemaVersion } from './catalog.js';
import { BACKUP_FORMAT, BACKUP_VERSION, writeBackupFile } from './file-format.js';
import { beginSnapshot, readSequences, readSnapshot } from './snapshot.js';

export interface BackupResult {
  readonly file: string;
  readonly tables: Record<string, number>;
  readonly bytes: number;
}

export async function backupDatabase(
  db: Db, file: string, options: { database: 'embedded' | 'postgresql'; primaryKey: Buffer; overwrite: boolean },
): Promise<BackupResult> {
  return db.transaction(async (trx) => {
    await beginSnapshot(trx);
    const schema = await schemaVersion(trx);
    if (!schema) throw new DomainError('not_found', 'The database has no Orgward schema yet: there is nothing to back up.');
    const catalog = await readCatalog(trx);
    const sequences = await readSequences(trx, catalog);
    const createdAt = new Date().toISOString();
    const { header, bytes } = await writeBackupFile(file, readSnapshot(trx, catalog), () => ({
      format: BACKUP_FORMAT, version: BACKUP_VERSION, schema, createdAt, database: options.database,
      keyFingerprint: keyFingerprint(options.primaryKey), sequences,
    }), { overwrite: options.overwrite });
    return { file, tables: Object.fromEntries(header.tables.map((t) => [t.name, t.rows])), bytes };
  });
}
