/** loadConfig: secret keys (required with DATABASE_URL, rotation order) and DNS servers. */
import { loadConfig, ConfigError } from '../src/config.js';

const problems = (env: Record<string, string>): readonly string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
};

describe('secret keys', () => {
  const a = 'aa'.repeat(32);
  const b = Buffer.alloc(32, 0xbb).toString('base64');

  it('are required with DATABASE_URL, since every instance must share them', () => {
    expect(problems({ DATABASE_URL: 'postgres://db/orgward' })).toEqual([expect.stringContaining('SECRET_KEY is required with DATABASE_URL')]);
    expect(loadConfig({ DATABASE_URL: 'postgres://db/orgward', SECRET_KEY: a }).secretKeys).toEqual([Buffer.from(a, 'hex')]);
  });

  it('are optional on the embedded database (a key file is generated)', () => {
    expect(loadConfig({}).secretKeys).toEqual([]);
    expect(loadConfig({ NODE_ENV: 'production' }).secretKeys).toEqual([]);
  });

  it('SECRET_KEYS lists the primary (encrypting) key first, then keys that only decrypt', () => {
    expect(loadConfig({ SECRET_KEYS: `${b}, ${a}` }).secretKeys).toEqual([Buffer.from(b, 'base64'), Buffer.from(a, 'hex')]);
    expect(loadConfig({ SECRET_KEYS: `${b},legacy-fixed-key` }).secretKeys).toEqual([Buffer.from(b, 'base64'), Buffer.alloc(32, 7)]);
    expect(problems({ SECRET_KEYS: 'legacy-fixed-key' })).toEqual([expect.stringContaining('may only follow a new key')]);
    expect(problems({ SECRET_KEY: a, SECRET_KEYS: b })).toEqual([expect.stringContaining('not both')]);
    expect(problems({ SECRET_KEYS: `${a},short` })).toEqual([expect.stringContaining('32-byte keys')]);
  });
});

describe('DNS_SERVERS', () => {
  it('accepts host names (looked up before the first query) and refuses a port out of range', () => {
    expect(loadConfig({ DNS_SERVERS: 'localhost:5353, 127.0.0.1, [::1]:53' }).dnsServers).toEqual(['localhost:5353', '127.0.0.1', '[::1]:53']);
    expect(problems({ DNS_SERVERS: 'localhost:99999' })).toEqual([expect.stringContaining('port above 65535')]);
  });
});

describe('metrics listener and sweeper settings', () => {
  it('default to 127.0.0.1:9464 and a sweep a minute of at most 100,000 rows or 10 s', () => {
    expect(loadConfig({})).toMatchObject({ metricsPort: 9464, metricsHost: '127.0.0.1', sweepIntervalMs: 60000, sweepMaxRows: 100000, sweepMaxMs: 10000 });
  });

  it('METRICS_PORT=0 turns the listener off; SWEEP_INTERVAL_SECONDS=0 the sweeper', () => {
    expect(loadConfig({ METRICS_PORT: '0', SWEEP_INTERVAL_SECONDS: '0' })).toMatchObject({ metricsPort: 0, sweepIntervalMs: 0 });
  });

  it('refuses the public port for metrics, and malformed values', () => {
    expect(problems({ PORT: '8080', METRICS_PORT: '8080' })).toEqual([expect.stringContaining('METRICS_PORT must differ from PORT')]);
    expect(problems({ METRICS_PORT: 'x', SWEEP_MAX_ROWS: '0', SWEEP_MAX_SECONDS: '-1' })).toEqual([
      expect.stringContaining('METRICS_PORT must be an integer'), expect.stringContaining('SWEEP_MAX_ROWS must be an integer'),
      expect.stringContaining('SWEEP_MAX_SECONDS must be an integer'),
    ]);
  });
});
