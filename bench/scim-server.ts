/**
 * The Orgward server for the SCIM benchmarks, in its own process (so its RSS is measured alone):
 * the real runtime and app over the benchmark database, listening on 127.0.0.1, port 0.
 * Tells the parent its port over IPC; exits when the parent disconnects.
 */
import http from 'node:http';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createRuntime } from '../src/runtime.js';

const config = loadConfig({
  ...process.env,
  PORT: '0',
  BASE_URL: 'http://127.0.0.1',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  DB_POOL_MAX: process.env.DB_POOL_MAX ?? '16',
  // A scratch benchmark database: any fixed key will do (SECRET_KEY is required with DATABASE_URL).
  ...(!process.env.SECRET_KEY && !process.env.SECRET_KEYS && { SECRET_KEY: 'b'.repeat(64) }),
});
const logger = createLogger(config.logLevel);
const runtime = await createRuntime(config, logger);
await runtime.migrate();
const app = createApp({ services: runtime.services, health: runtime.health, logger, baseUrl: config.baseUrl, secureCookies: false });
const server = http.createServer(app);
server.keepAliveTimeout = 30_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const address = server.address();
process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
process.on('disconnect', () => {
  server.close();
  server.closeAllConnections();
  void runtime.close().finally(() => process.exit(0));
});
