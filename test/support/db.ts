/**
 * A private database for one test file: a clone of the migrated template on PostgreSQL
 * (DATABASE_URL set), else a fresh in-memory PGlite, migrated.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import knexFactory from 'knex';
import { createDb, migrateLatest, type Db } from '../../src/store/db.js';
import { withDatabase } from './database-url.js';

export interface TestDb {
  readonly db: Db;
  /** The URL of this database on PostgreSQL (undefined on PGlite), for a second app instance or the CLI. */
  readonly url: string | undefined;
  readonly kind: 'postgresql' | 'pglite';
  destroy(): Promise<void>;
}

export async function createTestDb(): Promise<TestDb> {
  const url = process.env.DATABASE_URL;
  const template = process.env.ORGWARD_TEST_TEMPLATE;
  if (!url || !template) {
    const snapshot = process.env.ORGWARD_TEST_PGLITE_SNAPSHOT;
    // A private copy of the migrated snapshot (global-setup.mjs); migrated here when there is none.
    const pglite = snapshot ? new PGlite({ loadDataDir: new Blob([fs.readFileSync(snapshot)]) }) : undefined;
    const db = createDb({ databaseUrl: undefined, dataDir: 'memory://', ...(pglite && { pglite }) });
    if (!pglite) await migrateLatest(db);
    return { db, url: undefined, kind: 'pglite', destroy: () => db.destroy() };
  }
  const name = `orgward_t_${randomBytes(6).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  const dbUrl = withDatabase(url, name);
  const db = createDb({ databaseUrl: dbUrl, dataDir: 'unused', poolMax: 20 });
  return {
    db, url: dbUrl, kind: 'postgresql',
    async destroy() {
      await db.destroy();
      await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.destroy();
    },
  };
}
