/**
 * `orgward webhook …` (issue 13): add (product-wide and per organization) prints `{"id","secret"}`,
 * list never shows secrets, a loopback target is refused unless WEBHOOK_ALLOW_PRIVATE_TARGETS=true,
 * remove; one JSON object on stdout each.
 */
import { cliDatabase, cliJson, SID, type CliDatabase } from './run-cli.js';

const SLOW = 180000;

let db: CliDatabase;
let orgSid: string;

beforeAll(async () => {
  db = await cliDatabase();
  ({ orgSid } = (await cliJson(['org', 'create', '--name', 'Hooks', '--owner', 'owner@hooks.example'], db.env)) as { orgSid: string });
}, SLOW);
afterAll(async () => { await db.close(); }, SLOW);

it('adds, lists and removes webhooks; refuses private targets unless allowed', async () => {
  const refused = await cliJson(['webhook', 'add', '--url', 'http://127.0.0.1:9/hook'], db.env, 1);
  expect(refused.error).toMatchObject({ code: 'webhook_target_refused' });

  const env = { ...db.env, WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' };
  const product = await cliJson(['webhook', 'add', '--url', 'http://127.0.0.1:9/hook', '--type', 'user.*', '--type', 'account.closed'], env);
  expect(product).toEqual({ id: expect.stringMatching(SID('WH')), secret: expect.stringMatching(/^whsec_/) });
  const mine = await cliJson(['webhook', 'add', '--org', orgSid, '--url', 'http://127.0.0.1:9/org'], env);

  const listed = await cliJson(['webhook', 'list'], env);
  expect(listed.webhooks).toEqual([expect.objectContaining({ id: product.id, orgSid: null, types: ['account.closed', 'user.*'], enabled: true })]);
  expect(JSON.stringify(listed)).not.toContain('whsec_');
  expect((await cliJson(['webhook', 'list', '--org', orgSid], env)).webhooks).toEqual([expect.objectContaining({ id: mine.id, orgSid })]);

  // An organization's webhook is not found product-wide.
  expect((await cliJson(['webhook', 'remove', mine.id], env, 1)).error).toMatchObject({ code: 'not_found' });
  expect(await cliJson(['webhook', 'remove', '--org', orgSid, mine.id], env)).toEqual({ id: mine.id, removed: true });
  expect(await cliJson(['webhook', 'remove', product.id], env)).toEqual({ id: product.id, removed: true });
  expect((await cliJson(['webhook', 'list'], env)).webhooks).toEqual([]);
}, SLOW);
