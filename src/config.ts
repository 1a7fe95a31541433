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
  /** SMTP URL for outgoing mail; when undefined mail stays in the outbox and links are logged. */
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  /** 32-byte key (hex or base64) that encrypts secrets at rest (OIDC client secrets, TOTP seeds). */
  readonly secretKey: Buffer;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  readonly dbPoolMax: number;
  /** How long a request may wait for the database before failing with 503. */
  readonly dbTimeoutMs: number;
  readonly secureCookies: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
// A fixed development key: fine for a laptop, refused when NODE_ENV=production.
const DEV_SECRET_KEY = Buffer.alloc(32, 7);

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
  }

  const smtpUrl = env.SMTP_URL || undefined;
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) problems.push('SMTP_URL must start with smtp:// or smtps://');

  let secretKey = DEV_SECRET_KEY;
  const rawKey = env.SECRET_KEY;
  if (rawKey) {
    const key = /^[0-9a-f]{64}$/i.test(rawKey) ? Buffer.from(rawKey, 'hex') : Buffer.from(rawKey, 'base64');
    if (key.length !== 32) problems.push('SECRET_KEY must be 32 bytes, as 64 hex characters or base64');
    else secretKey = key;
  } else if (env.NODE_ENV === 'production') {
    problems.push('SECRET_KEY is required when NODE_ENV=production');
  }

  const logLevel = (env.LOG_LEVEL || 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  const config: Config = {
    port,
    databaseUrl,
    dataDir: path.resolve(env.DATA_DIR || './data'),
    baseUrl,
    dnsServers,
    smtpUrl,
    mailFrom: env.MAIL_FROM || 'Orgward <no-reply@orgward.localhost>',
    secretKey,
    logLevel,
    dbPoolMax: int('DB_POOL_MAX', 10, 1, 200),
    dbTimeoutMs: int('DB_TIMEOUT_MS', 3000, 100, 120000),
    secureCookies: env.COOKIE_SECURE ? env.COOKIE_SECURE === 'true' : baseUrl.startsWith('https://'),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}
