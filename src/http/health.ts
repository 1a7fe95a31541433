import { Router } from 'express';

export interface HealthCheck {
  /** Resolves when the database answers and migrations are current; rejects with the reason otherwise. */
  (): Promise<void>;
}

/** /healthz: 200 once the database is reachable and migrated; /readyz: 503 while it is not. */
export function healthRoutes(check: HealthCheck): Router {
  const router = Router();
  const handler = async (_req: unknown, res: import('express').Response) => {
    try {
      await check();
      res.status(200).json({ status: 'ok' });
    } catch (error) {
      res.status(503).setHeader('Retry-After', '5').json({ status: 'unavailable', reason: (error as Error).message });
    }
  };
  router.get('/healthz', handler);
  router.get('/readyz', handler);
  return router;
}
