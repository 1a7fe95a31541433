/**
 * The one place a DomainError becomes an admin-API HTTP response:
 * body {"error":{"code","message","requestId"}}; anything unknown is a 500 with the cause logged.
 */
import type { NextFunction, Request, Response } from 'express';
import { DomainError, isDomainError, type ErrorKind } from '../errors.js';
import type { Logger } from '../logger.js';

export const STATUS_BY_KIND: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  immutable: 409,
  unavailable: 503,
};

/** Express/body-parser errors a client can cause (bad JSON, too large): never a 500. */
export function fromHttpError(error: unknown): DomainError | undefined {
  const e = error as { type?: string; status?: number; statusCode?: number; message?: string };
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const message = e.type === 'entity.too.large' ? 'The request body is too large.'
      : e.type === 'entity.parse.failed' ? 'The request body is not valid JSON.'
      : 'The request is malformed.';
    return new DomainError('invalid_input', message, { cause: error, details: { httpStatus: status } });
  }
  return undefined;
}

export function toErrorResponse(error: unknown, requestId: string, logger: Logger): { status: number; body: { error: { code: string; message: string; requestId: string; details?: unknown } } } {
  const known = isDomainError(error) ? error : fromHttpError(error);
  if (!known) {
    logger.error('unhandled error', { requestId, error });
    return { status: 500, body: { error: { code: 'internal_error', message: 'Something went wrong on our side.', requestId } } };
  }
  const httpStatus = known.details?.httpStatus;
  const status = typeof httpStatus === 'number' ? httpStatus : STATUS_BY_KIND[known.kind];
  if (status >= 500 || known.cause) logger[status >= 500 ? 'warn' : 'debug'](known.message, { requestId, code: known.code, cause: known.cause });
  const { httpStatus: _omit, ...details } = known.details ?? {};
  return {
    status,
    body: { error: { code: known.code, message: known.message, requestId, ...(Object.keys(details).length > 0 && { details }) } },
  };
}

export function errorHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(error);
    const { status, body } = toErrorResponse(error, req.id, logger);
    if (status === 503) res.setHeader('Retry-After', '5');
    res.status(status).json(body);
  };
}
