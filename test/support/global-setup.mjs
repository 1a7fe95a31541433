// With DATABASE_URL set, migrates one template database per jest run; each test file then clones
// it (CREATE DATABASE ... TEMPLATE), which takes milliseconds and isolates files completely.
// Plain ESM because jest loads global setup outside its transform; tsx loads the TypeScript migrations.
import knexFactory from 'knex';
import { tsImport } from 'tsx/esm/api';

export function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export default async function globalSetup() {
  const url = process.env.DATABASE_URL;
  if (!url) return;
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
