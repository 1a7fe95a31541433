/**
 * Creates the knex instance: PostgreSQL when a URL is configured, else the embedded PGlite
 * database under DATA_DIR (so `npm start` works on a bare machine).
 */
import fs from 'node:fs';
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import { migrations } from '../../migrations/index.js';
import type { Logger } from '../logger.js';
import type { PGlite } from '@electric-sql/pglite';

export type Db = Knex;

/**
 * knex-pglite labels a DELETE's result 'DEL' (from knex's method name 'del'), which knex's
 * postgres response handling does not recognise, so `.delete()` would not return its row count.
 */
class PgLiteClient extends (ClientPgLite as unknown as new (config: Knex.Config) => { processResponse(obj: { method?: string }, runner: unknown): unknown }) {
  override processResponse(obj: { method?: string }, runner: unknown): unknown {
    return super.processResponse(obj.method === 'del' ? { ...obj, method: 'delete' } : obj, runner);
  }
}

export interface DbOptions {
  /** PostgreSQL URL; undefined selects PGlite. */
  readonly databaseUrl: string | undefined;
  /** PGlite data directory; `memory://` keeps it in memory (tests). */
  readonly dataDir: string;
  readonly poolMax?: number;
  /** Bound on waiting for a connection and on each statement, so an outage fails fast. */
  readonly timeoutMs?: number;
  /** Where knex's own warnings go (it would print them to stdout). */
  readonly logger?: Logger;
  /** An embedded database already open (tests start each file from one migrated snapshot); dataDir is then unused. */
  readonly pglite?: PGlite;
}

export function createDb(options: DbOptions): Db {
  const timeoutMs = options.timeoutMs ?? 5000;
  // One line per event: knex passes messages with the driver's stack trace appended.
  const firstLine = (message: unknown) => (typeof message === 'string' ? message.split('\n')[0] : message);
  const log = options.logger && {
    warn: (message: unknown) => options.logger!.warn('knex', { message: firstLine(message) }),
    error: (message: unknown) => options.logger!.error('knex', { message: firstLine(message) }),
    deprecate: (message: unknown) => options.logger!.warn('knex deprecation', { message }),
    debug: (message: unknown) => options.logger!.debug('knex', { message }),
  };
  if (options.databaseUrl) {
    const statementTimeout = Math.max(timeoutMs * 6, 30000);
    return knexFactory({
      client: 'pg',
      connection: {
        connectionString: options.databaseUrl,
        connectionTimeoutMillis: timeoutMs,
        statement_timeout: statementTimeout,
        // A server that vanishes without closing the socket (dropped packets) is caught by the
        // client-side timeout and TCP keep-alive; statement_timeout alone is enforced by the server.
        query_timeout: statementTimeout + 5000,
        keepAlive: true,
        application_name: 'orgward',
      },
      pool: { min: 0, max: options.poolMax ?? 10, idleTimeoutMillis: 30000 },
      acquireConnectionTimeout: timeoutMs,
      ...(log && { log }),
    });
  }
  const inMemory = options.dataDir === 'memory://';
  if (!inMemory && !options.pglite) fs.mkdirSync(options.dataDir, { recursive: true });
  return knexFactory({
    client: PgLiteClient as unknown as typeof knexFactory.Client,
    dialect: 'postgres',
    connection: options.pglite ? { pglite: options.pglite } : inMemory ? {} : { filename: options.dataDir },
    acquireConnectionTimeout: Math.max(timeoutMs, 60000),
    ...(log && { log }),
  } as Knex.Config);
}

const migrationSource: Knex.MigrationSource<(typeof migrations)[number]> = {
  getMigrations: async () => [...migrations],
  getMigrationName: (m) => m.name,
  getMigration: async (m) => m,
};

const migratorConfig: Knex.MigratorConfig = { migrationSource, tableName: 'knex_migrations' };

/** Applies pending migrations; knex holds a lock table so concurrent instances do not race. */
export async function migrateLatest(db: Db): Promise<string[]> {
  // The usual case: one query instead of knex's lock-and-list round (about 0.5 s on the embedded
  // database, which every CLI command paid). Only an exact match skips it, so knex still reports
  // a database migrated by newer code.
  if (await exactlyKnownMigrationsRecorded(db)) return [];
  const [, applied] = (await db.migrate.latest(migratorConfig)) as [number, string[]];
  return applied;
}

async function exactlyKnownMigrationsRecorded(db: Db): Promise<boolean> {
  let rows: { name: string }[];
  try {
    rows = await db.select('name').from(migratorConfig.tableName!) as { name: string }[];
  } catch {
    return false; // no table yet, or no database: knex creates it, or reports the outage
  }
  const recorded = new Set(rows.map((r) => r.name));
  return recorded.size === migrations.length && migrations.every((m) => recorded.has(m.name));
}

/**
 * Applies the migrations up to and including `name` (a restore brings an empty database to the
 * schema of its backup; the server applies the later ones at start, over the restored data).
 */
export async function migrateTo(db: Db, name: string): Promise<string[]> {
  const upTo = migrations.slice(0, migrations.findIndex((m) => m.name === name) + 1);
  if (upTo.length === 0) throw new Error(`unknown migration ${name}`);
  const source: Knex.MigrationSource<(typeof migrations)[number]> = { ...migrationSource, getMigrations: async () => [...upTo] };
  const [, applied] = (await db.migrate.latest({ ...migratorConfig, migrationSource: source })) as [number, string[]];
  return applied;
}

/** Names of every migration this code knows, in order. */
export const knownMigrations = (): string[] => migrations.map((m) => m.name);

/** True when every known migration has been applied. */
export async function migrationsCurrent(db: Db): Promise<boolean> {
  const [, pending] = (await db.migrate.list(migratorConfig)) as [unknown[], unknown[]];
  return pending.length === 0;
}
