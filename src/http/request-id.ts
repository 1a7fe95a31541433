import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { withRequestId } from '../request-context.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request { id: string }
  }
}

/** The caller's X-Request-Id when it is a plausible id, else a new one. */
export const requestIdFrom = (given: string | string[] | undefined): string =>
  (typeof given === 'string' && /^[\w.-]{8,128}$/.test(given) ? given : randomUUID());

/**
 * Every request gets an id, echoed in X-Request-Id and in every error body, so logs and reports
 * meet; the rest of the request runs with it as the current request id, so every log line carries it.
 */
export function requestId(req: Request, res: Response, next: NextFunction): void {
  req.id = requestIdFrom(req.headers['x-request-id']);
  res.setHeader('X-Request-Id', req.id);
  withRequestId(req.id, next);
}
