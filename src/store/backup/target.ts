/** What restore and move-to-postgres do to their target before loading: refuse unless empty, then migrate. */
import { DomainError } from '../../errors.js';
import { knownMigrations, migrateTo, type Db } from '../db.js';
import { appliedMigrations, readCatalog, tablesWithData, type Catalog } from './catalog.js';
import { notEmptyError } from './loader.js';

/**
 * Refuses a schema this code does not know: newer (upgrade Orgward first) or unknown. Migration
 * names start with their timestamp, so a later name is a newer schema.
 */
export function checkKnownSchema(schema: string, what: string): void {
  const known = knownMigrations();
  if (known.includes(schema)) return;
  if (schema > known[known.length - 1]!) {
    throw new DomainError('backup_schema_newer',
      `${what} has schema ${schema}, newer than this Orgward knows (${known[known.length - 1]}); upgrade Orgward first, then run this again.`,
      { details: { schema, latestKnown: known[known.length - 1] } });
  }
  throw new DomainError('backup_invalid', `${what} has schema ${schema}, which this Orgward does not know.`, { details: { schema } });
}

/** Checks the target holds no data and no newer schema, then migrates it up to `schema`; returns its catalogue. */
export async function prepareTarget(db: Db, schema: string): Promise<Catalog> {
  const known = knownMigrations();
  const upTo = known.slice(0, known.indexOf(schema) + 1);
  const beyond = (await appliedMigrations(db)).filter((name) => !upTo.includes(name));
  if (beyond.length > 0) {
    throw new DomainError('restore_target_not_empty',
      `The target database has a newer schema (${beyond[beyond.length - 1]}) than the backup (${schema}); ` +
      'restore into a new DATA_DIR or a new PostgreSQL database (createdb), then start Orgward: it migrates the restored data.',
      { details: { schema: beyond[beyond.length - 1] } });
  }
  const filled = await tablesWithData(db, (await readCatalog(db)).tables.map((t) => t.name));
  if (filled.length > 0) throw notEmptyError(filled);
  await migrateTo(db, schema);
  return readCatalog(db);
}
