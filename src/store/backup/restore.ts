/**
 * `orgward restore FILE`: into a new or empty DATA_DIR, or an empty PostgreSQL database. In order,
 * so that a refusal writes nothing: the header (format, schema not newer than this code), the
 * target's secret key against the backup's key fingerprint, the whole file once (every table's
 * rows and checksum, the end mark), the target empty; then the migrations up to the backup's
 * schema and the load in one transaction (loader.ts), which checks the rows again as they go in.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DomainError } from '../../errors.js';
import { lockDataDir } from '../../data-dir-lock.js';
import type { Logger } from '../../logger.js';
import { keyring, openSealed, type Keyring } from '../../security/encryption.js';
import { keyFingerprint } from '../../security/key-fingerprint.js';
import { KEY_FILE } from '../../security/key-file.js';
import { createDb, type Db } from '../db.js';
import { rethrowDbError } from '../db-errors.js';
import { SEALED_COLUMNS } from '../sealed-columns.js';
import type { Table } from './catalog.js';
import { readBackupEvents, readHeader, verifyBackupFile, type BackupHeader } from './file-format.js';
import { beginLoad, checkSameTables, finishLoad, loadRows } from './loader.js';
import { checkKnownSchema, prepareTarget } from './target.js';

export interface RestoreTarget {
  /** PostgreSQL URL; undefined restores into the embedded database under `dataDir`. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  /** SECRET_KEY / SECRET_KEYS; empty on the embedded database without them (DATA_DIR/secret.key is read). */
  readonly secretKeys: readonly Buffer[];
  readonly timeoutMs?: number;
  readonly logger?: Logger;
}

/** The keys the restored data will be opened with, or undefined when the target has none yet. */
function targetKeys(target: RestoreTarget): Keyring | undefined {
  if (target.secretKeys.length > 0) return keyring(target.secretKeys);
  const file = path.join(target.dataDir, KEY_FILE);
  if (target.databaseUrl || !fs.existsSync(file)) return undefined;
  const raw = fs.readFileSync(file, 'utf8').trim();
  return /^[0-9a-f]{64}$/i.test(raw) ? keyring([Buffer.from(raw, 'hex')]) : undefined;
}

function checkKey(header: BackupHeader, ring: Keyring | undefined, target: RestoreTarget): Keyring {
  if (ring && ring.keys.some((k) => keyFingerprint(k) === header.keyFingerprint)) return ring;
  const where = target.databaseUrl
    ? 'Set SECRET_KEY to the key of the Orgward that made it (on the embedded database: the 64 hex characters in its DATA_DIR/secret.key).'
    : `Copy secret.key from the DATA_DIR that was backed up into ${target.dataDir}, or set SECRET_KEY to that key.`;
  throw new DomainError('secret_key_mismatch',
    `The backup's secrets were sealed with another secret key (fingerprint ${header.keyFingerprint}) than the target's ` +
    `(${ring ? ring.keys.map(keyFingerprint).join(', ') : 'none yet'}). ${where}`,
    { details: { backupKeyFingerprint: header.keyFingerprint } });
}

/** Opens every sealed value as it loads, so a restore never yields secrets its key cannot open. */
function sealedCheck(ring: Keyring) {
  return (table: Table, rows: readonly string[]) => {
    const indexes = SEALED_COLUMNS.filter((c) => c.table === table.name).map((c) => table.columns.findIndex((col) => col.name === c.column)).filter((i) => i >= 0);
    if (indexes.length === 0) return;
    for (const row of rows) {
      const values = JSON.parse(row) as (string | null)[];
      for (const i of indexes) {
        if (values[i] == null) continue;
        try {
          openSealed(ring, values[i]!);
        } catch (error) {
          throw new DomainError('secret_key_mismatch',
            `A secret in ${table.name} was sealed with a key the target is not configured with; set SECRET_KEYS to include it (SECRET_KEYS=new,old).`, { cause: error });
        }
      }
    }
  };
}

export async function restoreBackup(file: string, target: RestoreTarget): Promise<Record<string, number>> {
  const header = await readHeader(file);
  checkKnownSchema(header.schema, file);
  const ring = checkKey(header, targetKeys(target), target);
  await verifyBackupFile(file);

  const embedded = !target.databaseUrl;
  const createdDir = embedded && !fs.existsSync(target.dataDir);
  const lock = embedded ? lockDataDir(target.dataDir) : undefined;
  let db: Db | undefined;
  let done = false;
  try {
    db = createDb({ databaseUrl: target.databaseUrl, dataDir: target.dataDir, timeoutMs: target.timeoutMs, logger: target.logger, poolMax: 2 });
    const catalog = await prepareTarget(db, header.schema);
    checkSameTables(header.tables, catalog);
    const expected = Object.fromEntries(header.tables.map((t) => [t.name, t.rows]));
    const counts = await db.transaction(async (trx) => {
      await beginLoad(trx, catalog);
      const loaded = await loadRows(trx, catalog, readBackupEvents(file), sealedCheck(ring));
      await finishLoad(trx, catalog, header.sequences, expected);
      return loaded;
    });
    done = true;
    return counts;
  } catch (error) {
    return rethrowDbError(error);
  } finally {
    await db?.destroy().catch(() => undefined);
    lock?.release();
    // A DATA_DIR this restore created holds nothing worth keeping after a failure.
    if (!done && createdDir) fs.rmSync(target.dataDir, { recursive: true, force: true });
  }
}
