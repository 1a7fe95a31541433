// With DATABASE_URL set, migrates one template database per jest run; each test file then clones
// it (CREATE DATABASE ... TEMPLATE), which takes milliseconds and isolates files completely.
// Without it (PGlite), migrates one embedded database and saves its data directory; each test
// file loads a private copy (about 0.5 s) instead of migrating its own (3 s, far more under load).
// Plain ESM because jest loads global setup outside its transform; tsx loads the TypeScript migrations.
import { Buffer } from 'node:buffer';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { tsImport } from 'tsx/esm/api';

export function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export default async function globalSetup() {
  const url = process.env.DATABASE_URL;
  if (!url) {
    process.env.ORGWARD_TEST_PGLITE_SNAPSHOT = await pgliteSnapshot();
    return;
  }
  const template = `orgward_tpl_${process.pid}`;
  const admin = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  try {
    await admin.raw(`DROP DATABASE IF EXISTS ${template}`);
    await admin.raw(`CREATE DATABASE ${template}`);
  } finally {
    await admin.destroy();
  }
  const { migrateLatest } = await tsImport('../../src/store/db.ts', import.meta.url);
  const db = knexFactory({ client: 'pg', connection: withDatabase(url, template), pool: { min: 0, max: 1 } });
  try {
    await migrateLatest(db);
  } finally {
    await db.destroy();
  }
  process.env.ORGWARD_TEST_TEMPLATE = template;
}

/** Migrates an in-memory PGlite once and writes its data directory to a temporary file. */
async function pgliteSnapshot() {
  const { createDb, migrateLatest } = await tsImport('../../src/store/db.ts', import.meta.url);
  const db = createDb({ databaseUrl: undefined, dataDir: 'memory://' });
  try {
    await migrateLatest(db);
    const dump = await db.client.pglite.dumpDataDir('none');
    const file = path.join(os.tmpdir(), `orgward-pglite-${process.pid}.tar`);
    fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
    return file;
  } finally {
    await db.destroy();
  }
}
