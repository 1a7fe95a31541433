/**
 * The embedded database's secret key: without SECRET_KEY/SECRET_KEYS (allowed only without
 * DATABASE_URL, where one process owns DATA_DIR), a random key is generated on first start and
 * kept next to the data in `DATA_DIR/secret.key`, readable by the owner only (0600). Backups of
 * DATA_DIR must include it: without it the encrypted columns cannot be opened.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config.js';

export const KEY_FILE = 'secret.key';

/** Reads `dir/secret.key`, creating it (0600) with a fresh random key when absent. */
export function loadOrCreateKeyFile(dir: string): { key: Buffer; file: string; created: boolean } {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, KEY_FILE);
  let created = false;
  try {
    // 'wx' fails when the file exists, so two processes never both write a key.
    fs.writeFileSync(file, randomBytes(32).toString('hex') + '\n', { flag: 'wx', mode: 0o600 });
    created = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const raw = fs.readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/i.test(raw)) {
    throw new ConfigError([`${file} does not hold a 64-hex-character key; restore it from a backup of DATA_DIR, or set SECRET_KEY`]);
  }
  return { key: Buffer.from(raw, 'hex'), file, created };
}
