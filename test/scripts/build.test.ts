/**
 * `npm start` runs `scripts/build.mjs --if-stale`: it compiles only when a source is newer than the
 * stamp of the last build (made at install by `prepare`), so a restart does not recompile.
 * Run in a scratch copy of the layout, with a stand-in for tsc that records each call.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../cli/run-cli.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgward-build-'));
  fs.mkdirSync(path.join(dir, 'scripts'));
  fs.copyFileSync(path.join(ROOT, 'scripts', 'build.mjs'), path.join(dir, 'scripts', 'build.mjs'));
  fs.mkdirSync(path.join(dir, 'src'));
  fs.writeFileSync(path.join(dir, 'src', 'main.ts'), 'export {};\n');
  fs.writeFileSync(path.join(dir, 'tsconfig.build.json'), '{}\n');
  fs.mkdirSync(path.join(dir, 'node_modules', 'typescript', 'bin'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'node_modules', 'typescript', 'bin', 'tsc'),
    `require('node:fs').appendFileSync(${JSON.stringify(path.join(dir, 'tsc-calls'))}, 'x');\n`);
});
afterEach(() => { fs.rmSync(dir, { recursive: true, force: true }); });

const build = (...args: string[]) => spawnSync(process.execPath, [path.join(dir, 'scripts', 'build.mjs'), ...args], { encoding: 'utf8' });
const compilations = () => (fs.existsSync(path.join(dir, 'tsc-calls')) ? fs.readFileSync(path.join(dir, 'tsc-calls'), 'utf8').length : 0);

describe('scripts/build.mjs', () => {
  it('compiles on install, not on a start with unchanged sources, and again once a source changed', () => {
    expect(build().status).toBe(0); // npm ci → prepare → npm run build
    expect(compilations()).toBe(1);
    expect(fs.existsSync(path.join(dir, 'dist', '.build-stamp'))).toBe(true);

    const restart = build('--if-stale');
    expect(restart.status).toBe(0);
    expect(restart.stderr).toBe('');
    expect(compilations()).toBe(1);

    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(path.join(dir, 'src', 'main.ts'), later, later);
    const changed = build('--if-stale');
    expect(changed.stderr).toContain('sources changed since the last build');
    expect(compilations()).toBe(2);
  });

  it('compiles on start when there was never a build', () => {
    expect(build('--if-stale').status).toBe(0);
    expect(compilations()).toBe(1);
  });
});
