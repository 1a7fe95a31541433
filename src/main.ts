/**
 * Process entry: loadConfig → createDb → migrate → createServices → createApp → listen.
 * SIGTERM/SIGINT drain: stop accepting, finish in-flight requests, close the pool.
 */
import http from 'node:http';
import { createApp } from './app.js';
import { loadConfig, ConfigError, type Config } from './config.js';
import { createLogger } from './logger.js';
import { createRuntime } from './runtime.js';

export async function serve(config: Config, portOverride?: number): Promise<http.Server> {
  const logger = createLogger(config.logLevel);
  const runtime = await createRuntime(config, logger);
  await runtime.migrate();
  const app = createApp({
    services: runtime.services, health: runtime.health, logger, baseUrl: config.baseUrl, secureCookies: config.secureCookies,
  });
  const server = http.createServer(app);
  server.keepAliveTimeout = 5000;
  const port = portOverride ?? config.port;
  await new Promise<void>((resolve) => server.listen(port, resolve));
  const address = server.address();
  logger.info('orgward listening', { port: typeof address === 'object' && address ? address.port : port, database: config.databaseUrl ? 'postgresql' : `embedded (${config.dataDir})` });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('draining', { signal });
    server.close(async () => {
      await runtime.close();
      logger.info('stopped');
      process.exit(0);
    });
    server.closeIdleConnections();
    setTimeout(() => { logger.warn('drain timed out; exiting'); process.exit(1); }, 15000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return server;
}

const isEntry = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntry) {
  try {
    await serve(loadConfig(process.env));
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(error.message + '\n');
      process.exit(2);
    }
    throw error;
  }
}
