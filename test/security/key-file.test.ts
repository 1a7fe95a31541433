/**
 * The embedded database without SECRET_KEY: a random key is generated on first start, kept in
 * DATA_DIR/secret.key readable by the owner only, and reused on every later start (no fixed key).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createLogger, silentLogger } from '../../src/logger.js';
import { createRuntime } from '../../src/runtime.js';
import { encryptSecret, decryptSecret } from '../../src/security/encryption.js';
import { KEY_FILE, loadOrCreateKeyFile } from '../../src/security/key-file.js';

const SLOW = 120000;
let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgward-key-')); });
afterEach(() => { fs.rmSync(dir, { recursive: true, force: true }); });

describe('secret key file of the embedded database', () => {
  it('is created on first start with mode 0600, logged once, and reused by the next start', async () => {
    const lines: string[] = [];
    const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'info' });
    expect(config.secretKeys).toEqual([]);
    const first = await createRuntime(config, createLogger('info', (l) => lines.push(l)));
    const sealed = encryptSecret(first.keyring, 'totp-seed');
    await first.store.ping(); // PGlite starts lazily: let it finish before closing
    await first.close();

    const file = path.join(dir, KEY_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const key = fs.readFileSync(file, 'utf8').trim();
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).not.toBe(Buffer.alloc(32, 7).toString('hex')); // not the former fixed key
    expect(lines.filter((l) => l.includes('generated the secret key'))).toHaveLength(1);

    const second = await createRuntime(config, silentLogger);
    try {
      await second.store.ping();
      expect(second.keyring.primary.toString('hex')).toBe(key);
      expect(decryptSecret(second.keyring, sealed)).toBe('totp-seed');
    } finally {
      await second.close();
    }
    expect(fs.readFileSync(file, 'utf8').trim()).toBe(key);
  }, SLOW);

  it('on the first start after an upgrade, moves secrets sealed with the former fixed key to the generated key', async () => {
    const operator = { kind: 'operator' } as const;
    const before = await createRuntime(loadConfig({ DATA_DIR: dir, SECRET_KEY: '07'.repeat(32) }), silentLogger); // what older versions used
    let connectionId: string;
    try {
      await before.migrate();
      const { orgSid } = await before.services.organizations.create(operator, { name: 'Upgraded', ownerEmail: 'owner@upgraded.example' });
      ({ connectionId } = await before.services.sso.addOidc(operator, orgSid, { issuer: 'https://login.example', clientId: 'c', clientSecret: 'kept-secret' }));
    } finally {
      await before.close();
    }

    const lines: string[] = [];
    const upgraded = await createRuntime(loadConfig({ DATA_DIR: dir }), createLogger('info', (l) => lines.push(l)));
    try {
      await upgraded.migrate();
      expect((await upgraded.services.sso.oidcSettings(connectionId)).clientSecret).toBe('kept-secret');
    } finally {
      await upgraded.close();
    }
    expect(lines.some((l) => l.includes('re-encrypted secrets sealed with the former fixed key'))).toBe(true);

    const later = await createRuntime(loadConfig({ DATA_DIR: dir }), silentLogger);
    try {
      expect(later.keyring.keys).toHaveLength(1); // the fixed key is no longer accepted
      expect((await later.services.sso.oidcSettings(connectionId)).clientSecret).toBe('kept-secret');
    } finally {
      await later.close();
    }
  }, SLOW);

  it('two installations get different keys', () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'orgward-key-'));
    try {
      expect(loadOrCreateKeyFile(dir).key.equals(loadOrCreateKeyFile(other).key)).toBe(false);
      expect(loadOrCreateKeyFile(dir).created).toBe(false);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it('a damaged key file is refused with the fix, never silently replaced', () => {
    fs.writeFileSync(path.join(dir, KEY_FILE), 'not a key\n', { mode: 0o600 });
    expect(() => loadOrCreateKeyFile(dir)).toThrow(/restore it from a backup of DATA_DIR, or set SECRET_KEY/);
  });
});
