/**
 * `orgward api-client …` and `orgward operator-client create` (issue 10): one JSON object on
 * stdout, the secret shown once and usable, list without secrets, revoke at once.
 */
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createRuntime } from '../../src/runtime.js';
import { cliDatabase, cliJson, type CliDatabase } from './run-cli.js';

const SLOW = 180000;

let db: CliDatabase;
let orgSid: string;

async function withRuntime<T>(work: (rt: Awaited<ReturnType<typeof createRuntime>>) => Promise<T>): Promise<T> {
  const runtime = await createRuntime(loadConfig(db.env), silentLogger);
  try {
    return await work(runtime);
  } finally {
    await runtime.close();
  }
}

beforeAll(async () => {
  db = await cliDatabase();
  ({ orgSid } = (await cliJson(['org', 'create', '--name', 'API users', '--owner', 'owner@api.example'], db.env)) as { orgSid: string });
}, SLOW);
afterAll(async () => { await db.close(); }, SLOW);

it('creates, lists and revokes an API client; creates an operator client', async () => {
  const created = (await cliJson(['api-client', 'create', '--org', orgSid, '--role', 'read-only', '--name', 'reports'], db.env)) as Record<string, string>;
  expect(created).toEqual({ clientId: expect.stringMatching(/^OQ[0-9a-f]{32}$/), clientSecret: expect.any(String), role: 'read-only' });

  const listed = (await cliJson(['api-client', 'list', '--org', orgSid], db.env)) as { clients: Record<string, unknown>[] };
  expect(listed.clients).toEqual([expect.objectContaining({ clientId: created.clientId, role: 'read-only', name: 'reports', revokedAt: null })]);
  expect(JSON.stringify(listed)).not.toContain(created.clientSecret);

  const operator = (await cliJson(['operator-client', 'create', '--name', 'automation'], db.env)) as Record<string, string>;
  expect(operator).toEqual({ clientId: expect.stringMatching(/^OQ[0-9a-f]{32}$/), clientSecret: expect.any(String) });

  await withRuntime(async (rt) => {
    expect(await rt.services.apiClients.verifySecret(created.clientId!, created.clientSecret!)).toBe(true);
    expect(await rt.services.apiClients.verifySecret(created.clientId!, 'wrong')).toBe(false);
    expect(await rt.services.apiClients.standing(created.clientId!)).toEqual({ kind: 'organization', clientId: created.clientId, orgSid, role: 'read-only' });
    expect(await rt.services.apiClients.standing(operator.clientId!)).toEqual({ kind: 'operator', clientId: operator.clientId });
  });

  expect(await cliJson(['api-client', 'revoke', '--org', orgSid, created.clientId!], db.env)).toEqual({ clientId: created.clientId, revoked: true });
  await withRuntime(async (rt) => {
    await expect(rt.services.apiClients.standing(created.clientId!)).rejects.toMatchObject({ code: 'unauthenticated' });
  });
}, SLOW);
