/** Helpers of the browser tests: a real Orgward on loopback, headless Debian chromium, screenshots. */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { runCli } from '../../src/cli/program.js';
import { loadConfig } from '../../src/config.js';
import type { Runtime } from '../../src/runtime.js';
import { createTestContext, type TestContext, type TestOptions } from '../support/app.js';

export const SHOTS = path.resolve('test-output/screenshots');

/** Orgward listening on loopback; its base URL (mail links, the CSRF origin check) is the real address. */
export async function startOrgward(options: Omit<TestOptions, 'baseUrl'> = {}): Promise<{ ctx: TestContext; base: string; close(): Promise<void> }> {
  let handler: http.RequestListener = (_req, res) => { res.statusCode = 503; res.end(); };
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ctx = await createTestContext({ ...options, baseUrl: base });
  handler = ctx.app;
  return {
    ctx, base,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await ctx.close();
    },
  };
}

/** Headless chromium (playwright gives it a fresh temporary user-data dir, removed on close). */
export async function launchBrowser(): Promise<Browser> {
  fs.mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

/** A browser already signed in as `userSid` (a real session cookie). */
export async function signedInAs(browser: Browser, ctx: TestContext, base: string, userSid: string, viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; page: Page }> {
  const session = await ctx.store.transaction((repos) => ctx.services.sessions.issue(repos, { userSid, method: 'password', passwordChangedAt: null }));
  const context = await browser.newContext({ viewport });
  await context.addCookies([{ name: 'orgward_session', value: session.token, url: base }]);
  return { context, page: await context.newPage() };
}

/**
 * An operator CLI command (`orgward …`) run by this Orgward as a running server runs one the CLI
 * forwards to it (cli/control-server.ts on the embedded database): the same program, services and
 * `--json` contract, acting as the operator. Resolves with the exit code and stdout.
 */
export async function operatorCli(ctx: TestContext, argv: readonly string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) => new Writable({ write(chunk: Buffer | string, _enc, done) { append(chunk.toString()); done(); } });
  const io = { stdout: sink((s) => { stdout += s; }), stderr: sink((s) => { stderr += s; }) };
  const runtime = { db: ctx.testDb.db, store: ctx.store, services: ctx.services } as unknown as Runtime;
  const { exitCode } = await runCli(argv, io, {}, { host: { runtime, config: loadConfig({ LOG_LEVEL: 'silent' }), logLevel: 'silent' } });
  return { exitCode, stdout, stderr };
}
