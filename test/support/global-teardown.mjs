import fs from 'node:fs';
import knexFactory from 'knex';

export default async function globalTeardown() {
  const snapshot = process.env.ORGWARD_TEST_PGLITE_SNAPSHOT;
  if (snapshot) fs.rmSync(snapshot, { force: true });
  const url = process.env.DATABASE_URL;
  const template = process.env.ORGWARD_TEST_TEMPLATE;
  if (!url || !template) return;
  const admin = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  try {
    await admin.raw(`DROP DATABASE IF EXISTS ${template}`);
  } finally {
    await admin.destroy();
  }
}
