/**
 * The only reader of process.env. Every problem is listed at once; the result is frozen.
 */
import path from 'node:path';

export interface Config {
  readonly port: number;
  /** PostgreSQL URL; when undefined the embedded PGlite database under `dataDir` is used. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  /** Public base URL of this service (links in mail, SAML ACS, OIDC redirect URIs). */
  readonly baseUrl: string;
  /** `host:port` DNS servers used for domain verification; empty means the system resolvers. */
  readonly dnsServers: readonly string[];
  /** SMTP URL for outgoing mail; when undefined nothing is sent (links are logged in development, see adapters/mailer.ts). */
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  /**
   * 32-byte keys (hex or base64) that encrypt secrets at rest (OIDC client secrets, TOTP seeds),
   * primary first: SECRET_KEYS=new,old during a rotation, else SECRET_KEY. Empty on the embedded
   * database without either: a random key kept in `DATA_DIR/secret.key` is used (see runtime).
   */
  readonly secretKeys: readonly Buffer[];
  /** NODE_ENV=production: mail links are never logged. */
  readonly production: boolean;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  readonly dbPoolMax: number;
  /** How long a request may wait for the database before failing with 503. */
  readonly dbTimeoutMs: number;
  readonly secureCookies: boolean;
  /** Port of the Prometheus metrics listener (`GET /metrics`); 0 turns it off. Never the public port. */
  readonly metricsPort: number;
  readonly metricsHost: string;
  /** The sweeper (jobs/sweeper.ts): between runs (0: off), and the bounds of one run. */
  readonly sweepIntervalMs: number;
  readonly sweepMaxRows: number;
  readonly sweepMaxMs: number;
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS=true: webhooks may target loopback and private addresses (issue 13, SSRF). */
  readonly webhookAllowPrivateTargets?: boolean;
  /** SSO_METADATA_ALLOW_PRIVATE_TARGETS=true: IdP metadata URLs may be plain http and on loopback or private addresses (issue 11, SSRF). */
  readonly ssoMetadataAllowPrivateTargets?: boolean;
  /** EVENT_RETENTION_DAYS: how long events stay in the feeds (default 30). */
  readonly eventRetentionDays?: number;
  /** Above this size (bytes of JSON) the `accounts` claim is left out of ID tokens and userinfo. */
  readonly oidcMaxAccountsClaimBytes: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
/**
 * The fixed key earlier versions used when SECRET_KEY was unset. Accepted only as a decrypt-only
 * entry of SECRET_KEYS (`SECRET_KEYS=<new>,legacy-fixed-key`) so such data can be re-encrypted.
 */
export const LEGACY_FIXED_KEY_NAME = 'legacy-fixed-key';
export const LEGACY_FIXED_KEY = Buffer.alloc(32, 7);

export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return n;
  };

  const port = int('PORT', 3000, 0, 65535);
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must start with postgres:// or postgresql://');
  }
  const baseUrl = (env.BASE_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/.test(baseUrl)) problems.push(`BASE_URL must be an http(s) URL (got "${baseUrl}")`);

  const dnsServers = (env.DNS_SERVERS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of dnsServers) {
    if (!/^(\[[0-9a-f:]+\]|[^:\s]+)(:\d{1,5})?$/i.test(s)) problems.push(`DNS_SERVERS entry "${s}" must be host or host:port`);
    else if (Number(/:(\d+)$/.exec(s)?.[1] ?? 53) > 65535) problems.push(`DNS_SERVERS entry "${s}" has a port above 65535`);
  }

  const smtpUrl = env.SMTP_URL || undefined;
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) problems.push('SMTP_URL must start with smtp:// or smtps://');

  const parseKey = (name: string, raw: string): Buffer | undefined => {
    const key = /^[0-9a-f]{64}$/i.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
    if (key.length === 32) return key;
    problems.push(`${name} must hold 32-byte keys, as 64 hex characters or base64 (generate one with: openssl rand -hex 32)`);
    return undefined;
  };
  const secretKeys: Buffer[] = [];
  if (env.SECRET_KEY && env.SECRET_KEYS) {
    problems.push('Set SECRET_KEY or SECRET_KEYS, not both (SECRET_KEYS=new,old during a rotation, SECRET_KEY otherwise)');
  } else if (env.SECRET_KEYS) {
    const entries = env.SECRET_KEYS.split(',').map((s) => s.trim()).filter(Boolean);
    if (entries[0] === LEGACY_FIXED_KEY_NAME) problems.push(`SECRET_KEYS: ${LEGACY_FIXED_KEY_NAME} may only follow a new key (it never encrypts)`);
    for (const entry of entries) {
      const key = entry === LEGACY_FIXED_KEY_NAME ? LEGACY_FIXED_KEY : parseKey('SECRET_KEYS', entry);
      if (key) secretKeys.push(key);
    }
    if (entries.length === 0) problems.push('SECRET_KEYS must list at least one key');
  } else if (env.SECRET_KEY) {
    const key = parseKey('SECRET_KEY', env.SECRET_KEY);
    if (key) secretKeys.push(key);
  } else if (databaseUrl) {
    // Every instance sharing the database must seal and open secrets with the same key.
    problems.push('SECRET_KEY is required with DATABASE_URL: give every instance the same key (generate one with: openssl rand -hex 32)');
  }

  const logLevel = (env.LOG_LEVEL || 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  const allowPrivate = env.WEBHOOK_ALLOW_PRIVATE_TARGETS ?? 'false';
  if (allowPrivate !== 'true' && allowPrivate !== 'false') problems.push('WEBHOOK_ALLOW_PRIVATE_TARGETS must be true or false');
  const metadataPrivate = env.SSO_METADATA_ALLOW_PRIVATE_TARGETS ?? 'false';
  if (metadataPrivate !== 'true' && metadataPrivate !== 'false') problems.push('SSO_METADATA_ALLOW_PRIVATE_TARGETS must be true or false');
  const config: Config = {
    port,
    databaseUrl,
    dataDir: path.resolve(env.DATA_DIR || './data'),
    baseUrl,
    dnsServers,
    smtpUrl,
    mailFrom: env.MAIL_FROM || 'Orgward <no-reply@orgward.localhost>',
    secretKeys,
    production: env.NODE_ENV === 'production',
    logLevel,
    dbPoolMax: int('DB_POOL_MAX', 10, 1, 200),
    oidcMaxAccountsClaimBytes: int('OIDC_MAX_ACCOUNTS_CLAIM_BYTES', 8192, 0, 1_000_000),
    dbTimeoutMs: int('DB_TIMEOUT_MS', 3000, 100, 120000),
    secureCookies: env.COOKIE_SECURE ? env.COOKIE_SECURE === 'true' : baseUrl.startsWith('https://'),
    metricsPort: int('METRICS_PORT', 9464, 0, 65535),
    metricsHost: env.METRICS_HOST || '127.0.0.1',
    sweepIntervalMs: int('SWEEP_INTERVAL_SECONDS', 60, 0, 86400) * 1000,
    sweepMaxRows: int('SWEEP_MAX_ROWS', 100000, 1, 10000000),
    sweepMaxMs: int('SWEEP_MAX_SECONDS', 10, 1, 3600) * 1000,
    webhookAllowPrivateTargets: allowPrivate === 'true',
    ssoMetadataAllowPrivateTargets: metadataPrivate === 'true',
    eventRetentionDays: int('EVENT_RETENTION_DAYS', 30, 1, 3650),
  };
  if (config.metricsPort !== 0 && config.metricsPort === port) problems.push('METRICS_PORT must differ from PORT: metrics are never served on the public port');
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}
