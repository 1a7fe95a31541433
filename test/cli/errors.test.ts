/**
 * The error half of the output contract: with --json exactly one `{"error":{"code","message"}}`
 * object on stdout and a non-zero exit (2 for usage errors, 1 for domain errors); without it one
 * readable line on stderr and nothing on stdout.
 */
import { cliDatabase, cliJson, runCli, type CliDatabase } from './run-cli.js';

const SLOW = 180000;
const NO_ORG = `OR${'0'.repeat(32)}`;

let db: CliDatabase;
let orgSid: string;
beforeAll(async () => {
  db = await cliDatabase();
  orgSid = (await cliJson(['org', 'create', '--name', 'Errors Inc', '--owner', 'owner@errors.example'], db.env)).orgSid as string;
}, SLOW);
afterAll(async () => { await db.close(); }, SLOW);

describe('usage errors: exit 2', () => {
  it.each([
    [['domain', 'add', 'corp.example'], "required option '--org <sid>' not specified"],
    [['domain', 'policy', '--org', NO_ORG, 'corp.example', 'open'], "command-argument value 'open' is invalid for argument 'policy'. Allowed choices are restricted, auto-enrollment, blocked."],
    [['org', 'set', '--org', NO_ORG, '--account-limit', 'ten'], "option '--account-limit <n>' argument 'ten' is invalid. expected an integer from 1 to 100000"],
    [['org', 'frobnicate'], "unknown command 'frobnicate'"],
    [['org', 'create', '--name', 'X', '--owner', 'o@x.example', '--colour', 'red'], "unknown option '--colour'"],
  ])('%j', async (args, message) => {
    expect(await cliJson(args, db.env, 2)).toEqual({ error: { code: 'usage', message } });
  }, SLOW);

  it('a command group without a subcommand', async () => {
    expect(await cliJson(['domain'], db.env, 2)).toEqual({ error: { code: 'usage', message: 'A subcommand is required; see --help.' } });
  }, SLOW);

  it('org set without any setting', async () => {
    expect(await cliJson(['org', 'set', '--org', orgSid], db.env, 2))
      .toEqual({ error: { code: 'usage', message: 'Give at least one of --account-limit, --bulk-import, --baa.' } });
  }, SLOW);

  it('an unreadable file', async () => {
    expect(await cliJson(['import', 'users', '--org', orgSid, '/nonexistent/users.csv'], db.env, 2))
      .toEqual({ error: { code: 'file_unreadable', message: 'Cannot read /nonexistent/users.csv: ENOENT.' } });
  }, SLOW);

  it('an invalid configuration lists every problem', async () => {
    expect(await cliJson(['migrate'], { ...db.env, LOG_LEVEL: 'loud', DNS_SERVERS: 'not a server' }, 2)).toEqual({
      error: {
        code: 'invalid_config', message: expect.stringContaining('Invalid configuration'),
        details: { problems: ['DNS_SERVERS entry "not a server" must be host or host:port', 'LOG_LEVEL must be one of debug, info, warn, error, silent'] },
      },
    });
  }, SLOW);

  it('without --json: usage on stderr, nothing on stdout', async () => {
    const run = await runCli(['domain', 'add', 'corp.example'], db.env);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toContain("error: required option '--org <sid>' not specified");
  }, SLOW);
});

describe('domain errors: exit 1', () => {
  it('an unknown organization is not_found', async () => {
    expect(await cliJson(['org', 'show', '--org', NO_ORG], db.env, 1))
      .toEqual({ error: { code: 'not_found', message: `No organization ${NO_ORG}.` } });
  }, SLOW);

  it('R-D1: a URL instead of a domain is invalid_domain, with the form to enter', async () => {
    const out = await cliJson(['domain', 'add', '--org', orgSid, 'https://www.corp.example/login'], db.env, 1);
    expect(out).toEqual({ error: { code: 'invalid_domain', message: expect.stringContaining('corp.example'), details: { suggestion: 'corp.example' } } });
  }, SLOW);

  it('R-D2: a common mailbox domain is refused', async () => {
    expect((await cliJson(['domain', 'add', '--org', orgSid, 'gmail.com'], db.env, 1)).error.code).toBe('common_domain');
  }, SLOW);

  it('R-D7: inviting someone on an unverified domain is refused', async () => {
    expect((await cliJson(['user', 'invite', '--org', orgSid, 'someone@unverified.example'], db.env, 1)).error.code).toBe('domain_not_verified');
  }, SLOW);

  it('R-U1: an Owner who already belongs to another organization', async () => {
    expect((await cliJson(['org', 'create', '--name', 'Second', '--owner', 'OWNER@errors.example'], db.env, 1)).error.code).toBe('member_of_other_org');
  }, SLOW);

  it('without --json: one readable line on stderr, nothing on stdout', async () => {
    const run = await runCli(['org', 'show', '--org', NO_ORG], db.env);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr.trim().split('\n').at(-1)).toBe(`error (not_found): No organization ${NO_ORG}.`);
  }, SLOW);
});
