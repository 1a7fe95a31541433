#!/usr/bin/env node
// Compiles the TypeScript (src/, migrations/) to dist/ and writes dist/.build-stamp.
//   node scripts/build.mjs             always compiles (`npm run build`, and `npm ci` via prepare)
//   node scripts/build.mjs --if-stale  compiles only when a source is newer than the stamp (`npm start`),
//                                      so a restart serves in about a second instead of recompiling.
// The stamp's time is when the last successful build started: a file saved during a build is newer
// and triggers the next one.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(root, 'dist', '.build-stamp');
const SOURCES = ['src', 'migrations', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

/** The newest modification time (ms) under `target`, 0 when it does not exist. */
function newest(target) {
  let stat;
  try { stat = fs.statSync(target); } catch { return 0; }
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs.readdirSync(target).reduce((max, name) => Math.max(max, newest(path.join(target, name))), stat.mtimeMs);
}

function isStale() {
  let built;
  try { built = fs.statSync(stamp).mtimeMs; } catch { return true; }
  return SOURCES.some((source) => newest(path.join(root, source)) > built);
}

const ifStale = process.argv.includes('--if-stale');
if (ifStale && !isStale()) process.exit(0);
if (ifStale) process.stderr.write('orgward: sources changed since the last build; compiling (once)\n');
const started = new Date();
const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
// Files tsc does not emit: the Admin Center's templates and static assets, beside their modules.
for (const dir of ['src/http/admin/views', 'src/http/admin/assets']) {
  if (fs.existsSync(path.join(root, dir))) fs.cpSync(path.join(root, dir), path.join(root, 'dist', dir), { recursive: true });
}
fs.mkdirSync(path.dirname(stamp), { recursive: true });
fs.writeFileSync(stamp, `built ${started.toISOString()}\n`);
fs.utimesSync(stamp, started, started);
