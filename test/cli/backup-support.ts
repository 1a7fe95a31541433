/**
 * What the backup, restore and move tests share: a populated Orgward (every kind of row the real
 * paths write: SSO and password sign-ins with a second factor, SCIM, roles, accounts and a
 * subaccount, an organization merged into another, an enforced domain), the contents of every
 * table to compare databases with, and empty PostgreSQL databases to restore into.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import knexFactory from 'knex';
import request from 'supertest';
import { createDb, migrateLatest, type Db } from '../../src/store/db.js';
import { newSid } from '../../src/ids.js';
import type { TestContext } from '../support/app.js';
import type { TestDb } from '../support/db.js';
import { withDatabase } from '../support/database-url.js';
import { addAccount, addVerifiedDomain, OPERATOR } from '../support/fixtures.js';
import { scimClient, userBody } from '../support/scim-fixtures.js';
import { mintFor, orgWithDomain, postResponse, samlConnection, sessionCookieOf, startSaml, type SamlConnection } from '../http/sso/support.js';
import { PASSWORD, postForm, secretOf, userWithPassword } from '../http/auth/support.js';
import { totpCode } from '../../src/services/totp.js';

/** A PostgreSQL server to restore into: the tests' own (DATABASE_URL), else CI's (PG_URL) when set. */
export const POSTGRES_URL = process.env.DATABASE_URL ?? process.env.PG_URL;

/** A second domain of the organization, with SSO enforced (the first keeps password sign-ins). */
export const ENFORCED_DOMAIN = 'enforced.test';

export interface Populated {
  readonly orgSid: string;
  readonly domain: string;
  readonly saml: SamlConnection;
  readonly scimToken: string;
  readonly passwordUser: { readonly email: string; readonly totpSecret: string; readonly cookie: string };
}

/** Fills the database behind `ctx` through the real paths (HTTP sign-ins, SCIM, services). */
export async function populate(ctx: TestContext): Promise<Populated> {
  const domain = 'backup.test';
  const { org, owner } = await orgWithDomain(ctx, domain, 'auto_enrollment');
  const saml = await samlConnection(ctx, org.sid);
  ctx.clock.set(new Date());
  // An SSO sign-in: a user, an identity, a session, the assertion's replay-cache row, audit entries.
  const agent = request.agent(ctx.app);
  const { requestId, relayState } = await startSaml(agent, `alice@${domain}`);
  const xml = await mintFor(saml, { email: `alice@${domain}`, inResponseTo: requestId });
  const signedIn = await postResponse(agent, saml.connectionId, xml, relayState);
  if (!sessionCookieOf(signedIn)) throw new Error(`SAML sign-in failed: ${signedIn.status} ${signedIn.text.slice(0, 200)}`);
  // SCIM: a token, a provisioned user and a group.
  const { token } = await ctx.services.scimTokens.create(OPERATOR, org.sid, { description: 'Okta' });
  const scim = scimClient(ctx.app, token);
  const bob = await scim.post('/Users', userBody(`bob@${domain}`, { externalId: 'okta-bob' })).expect(201);
  await scim.post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Engineers', members: [{ value: bob.body.id }] }).expect(201);
  // A password sign-in that enrols TOTP (its seed sealed with the secret key) and keeps a session.
  const carol = `carol@${domain}`;
  await userWithPassword(ctx, carol, org.sid, 'admin');
  const carolAgent = request.agent(ctx.app);
  const password = await postForm(carolAgent, '/login/password', { email: carol, password: PASSWORD });
  if (password.status !== 303) throw new Error(`password sign-in failed: ${password.status}`);
  const secret = secretOf((await carolAgent.get('/login/second-factor').expect(200)).text);
  const done = await postForm(carolAgent, '/login/second-factor', { code: totpCode(secret, ctx.clock.now()) });
  const cookie = sessionCookieOf(done);
  if (!cookie) throw new Error(`second factor refused: ${done.status}`);
  // Accounts with a subaccount (accounts reference themselves), a custom role and its assignment.
  const account = await addAccount(ctx, { ownerSid: owner.sid, orgSid: org.sid, name: 'Prod', plan: 'upgraded' });
  await addAccount(ctx, { ownerSid: owner.sid, orgSid: org.sid, name: 'Sub', parentSid: account.sid });
  // An update writes the parent's row again, after its child's: a plain table scan now meets the child first.
  await ctx.testDb.db('accounts').where({ sid: account.sid }).update({ name: 'Production' });
  const role = await ctx.services.roles.create(OPERATOR, { name: 'Auditor', permissions: ['calls:read', 'messages:read'] });
  await ctx.services.roleAssignments.create(OPERATOR, org.sid, { identity: bob.body.id as string, scope: account.sid, roleSid: role.sid });
  await ctx.services.invitations.invite(OPERATOR, org.sid, { email: `dave@${domain}`, role: 'standard' });
  await ctx.services.apiClients.create(OPERATOR, org.sid, { role: 'admin', name: 'CI' });
  // An organization merged into another (organizations reference themselves), and an enforced
  // domain, whose trigger would stamp sso_enforced_at with the time of the load.
  const merged = newSid('OR');
  await ctx.testDb.db('organizations').insert({ sid: merged, name: 'Merged away', merged_into_sid: org.sid });
  await ctx.testDb.db('organizations').where({ sid: org.sid }).update({ name: 'Backup Corp' });
  await addVerifiedDomain(ctx, org.sid, ENFORCED_DOMAIN);
  await ctx.testDb.db('domains').where({ org_sid: org.sid, name: ENFORCED_DOMAIN }).update({ sso_enforced: true });
  await ctx.testDb.db('domains').where({ org_sid: org.sid, name: ENFORCED_DOMAIN }).update({ sso_enforced_at: new Date('2026-01-02T03:04:05.678912Z') });
  return { orgSid: org.sid, domain, saml, scimToken: token, passwordUser: { email: carol, totpSecret: secret, cookie } };
}

/** Every table but knex's bookkeeping, each as its rows' JSON texts, sorted: equal when the data is. */
export async function tableContents(db: Db): Promise<Record<string, string[]>> {
  return db.transaction(async (trx) => {
    await trx.raw("SET LOCAL TimeZone = 'UTC'");
    const tables = (await trx.raw(`SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'knex%' ORDER BY 1`) as { rows: { name: string }[] }).rows;
    const out: Record<string, string[]> = {};
    for (const { name } of tables) {
      const rows = (await trx.raw(`SELECT row_to_json(t)::text AS r FROM "${name}" AS t`) as { rows: { r: string }[] }).rows;
      out[name] = rows.map((r) => r.r).sort();
    }
    return out;
  });
}

/**
 * The constraints (primary, unique, check, foreign keys; whether validated) and the triggers
 * (whether enabled) of a database: a load drops and pauses some, and must leave them as they were.
 */
export async function schemaShape(db: Db): Promise<{ constraints: string[]; triggers: string[] }> {
  const constraints = (await db.raw(`SELECT c.relname || '.' || k.conname || ':' || k.contype::text || ':' || k.convalidated::text AS s
    FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND k.contype IN ('f', 'p', 'u', 'c') AND c.relname NOT LIKE 'knex%' ORDER BY 1`) as { rows: { s: string }[] }).rows;
  const triggers = (await db.raw(`SELECT c.relname || '.' || t.tgname || ':' || t.tgenabled::text AS s
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND NOT t.tgisinternal ORDER BY 1`) as { rows: { s: string }[] }).rows;
  return { constraints: constraints.map((r) => r.s), triggers: triggers.map((r) => r.s) };
}

/** A new, empty PostgreSQL database on POSTGRES_URL's server. */
export async function emptyPostgres(): Promise<{ url: string; db: Db; drop(): Promise<void> }> {
  const admin = knexFactory({ client: 'pg', connection: POSTGRES_URL!, pool: { min: 0, max: 1 } });
  const name = `orgward_r_${randomBytes(6).toString('hex')}`;
  await admin.raw(`CREATE DATABASE ${name}`);
  const url = withDatabase(POSTGRES_URL!, name);
  const db = createDb({ databaseUrl: url, dataDir: 'unused', poolMax: 2 });
  return {
    url, db,
    async drop() {
      await db.destroy();
      await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.destroy();
    },
  };
}

/** Names of the tables in a database (none in a database no restore has touched). */
export async function tableNames(db: Db): Promise<string[]> {
  const rows = (await db.raw("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1") as { rows: { name: string }[] }).rows;
  return rows.map((r) => r.name);
}

/** An embedded database in a new DATA_DIR, migrated, as a TestDb for createTestContext. */
export async function embeddedTestDb(): Promise<TestDb & { dataDir: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgward-backup-'));
  const db = createDb({ databaseUrl: undefined, dataDir });
  await migrateLatest(db);
  return { db, url: undefined, kind: 'pglite', dataDir, destroy: () => db.destroy() };
}

/** A copy of `file` whose header says `change(header)`: a well-formed backup of another kind. */
export function rewriteHeader(file: string, out: string, change: (header: Record<string, unknown>) => Record<string, unknown>): void {
  const text = gunzipSync(fs.readFileSync(file)).toString('utf8');
  const newline = text.indexOf('\n');
  const header = change(JSON.parse(text.slice(0, newline)) as Record<string, unknown>);
  fs.writeFileSync(out, gzipSync(JSON.stringify(header) + text.slice(newline)));
}
