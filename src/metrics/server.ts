/**
 * The metrics listener: `GET /metrics` in Prometheus text format on METRICS_HOST:METRICS_PORT
 * (127.0.0.1:9464 by default), a listener of its own so that metrics never reach the public port
 * (they tell an outsider traffic, refusal reasons and queue sizes). Anything else is 404.
 */
import http from 'node:http';
import type { Logger } from '../logger.js';
import type { Metrics } from './registry.js';

export async function listenForMetrics(options: { port: number; host: string; metrics: Metrics; logger: Logger }): Promise<http.Server> {
  const { metrics, logger } = options;
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found: metrics are at GET /metrics\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(req.method === 'HEAD' ? undefined : text),
      (error: unknown) => {
        logger.warn('metrics scrape failed', { error });
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => { server.off('error', reject); resolve(); });
  });
  server.unref();
  const address = server.address();
  logger.info('metrics listening', { host: options.host, port: typeof address === 'object' && address ? address.port : options.port, path: '/metrics' });
  return server;
}
