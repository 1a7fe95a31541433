/**
 * Key rotation re-encrypts the columns listed in store/sealed-columns.ts: every `*_encrypted`
 * column of the schema must be on that list, or `orgward secrets reencrypt` would leave it behind.
 */
import { createStore } from '../../src/store/index.js';
import { createTestDb, type TestDb } from '../support/db.js';

let testDb: TestDb;
beforeAll(async () => { testDb = await createTestDb(); });
afterAll(async () => { await testDb.destroy(); });

it('lists every encrypted column of the schema', async () => {
  const repos = createStore(testDb.db).read;
  const listed = (await repos.sealedColumns.columns()).map((c) => `${c.table}.${c.column}`).sort();
  expect(await repos.sealedColumns.encryptedColumnsInSchema()).toEqual(listed);
});
