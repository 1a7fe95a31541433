/**
 * `orgward move-to-postgres`: the embedded database into an empty PostgreSQL database, with the
 * machinery of backup and restore but no file: one snapshot of the source streams straight into
 * one load transaction on the target (rows in batches, never a table in memory). The target is
 * refused unless empty, migrated up to the source's schema, and each table's rows are counted
 * again on the target before the commit; constraints are checked as rows go in (loader.ts).
 */
import { DomainError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { createDb, type Db } from '../db.js';
import { rethrowDbError } from '../db-errors.js';
import { readCatalog, schemaVersion } from './catalog.js';
import { beginLoad, checkSameTables, finishLoad, loadRows } from './loader.js';
import { beginSnapshot, readSequences, readSnapshot } from './snapshot.js';
import { checkKnownSchema, prepareTarget } from './target.js';

export async function moveToPostgres(source: Db, targetUrl: string, options: { timeoutMs?: number; logger?: Logger } = {}): Promise<Record<string, number>> {
  const schema = await schemaVersion(source);
  if (!schema) throw new DomainError('not_found', 'The embedded database has no Orgward schema yet: there is nothing to move.');
  checkKnownSchema(schema, 'The embedded database');
  const target = createDb({ databaseUrl: targetUrl, dataDir: 'unused', timeoutMs: options.timeoutMs, logger: options.logger, poolMax: 2 });
  try {
    const catalog = await prepareTarget(target, schema);
    return await source.transaction(async (snapshot) => {
      await beginSnapshot(snapshot);
      const sourceCatalog = await readCatalog(snapshot);
      checkSameTables(sourceCatalog.tables, catalog);
      const sequences = await readSequences(snapshot, sourceCatalog);
      return target.transaction(async (trx) => {
        await beginLoad(trx, catalog);
        const copied = await loadRows(trx, catalog, readSnapshot(snapshot, sourceCatalog));
        for (const t of sourceCatalog.tables) {
          const rows = (await snapshot.raw(`SELECT count(*) AS n FROM "${t.name.replace(/"/g, '""')}"`) as { rows: { n: string }[] }).rows;
          if (Number(rows[0]!.n) !== (copied[t.name] ?? 0)) throw new Error(`${t.name}: copied ${copied[t.name] ?? 0} rows of ${rows[0]!.n}`);
        }
        await finishLoad(trx, catalog, sequences, copied);
        return copied;
      });
    });
  } catch (error) {
    return rethrowDbError(error);
  } finally {
    await target.destroy().catch(() => undefined);
  }
}
