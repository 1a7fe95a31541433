/**
 * The Organizations API's two error mappings, each in one place:
 * - 'orgward': the admin-API body `{"error":{"code","message","requestId"}}` (http/error-handler.ts);
 * - 'twilio': Twilio's shape `{"code","message","more_info","status"}` on Twilio-compatible routes,
 *   with Orgward's stable string code in `code`, so the `twilio` SDK raises a readable RestException.
 * Anything that is not a DomainError or a client-caused HTTP error is a 500 with the cause logged.
 */
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../../logger.js';
import { toErrorResponse } from '../error-handler.js';

export type { ErrorStyle } from './error-schemas.js';

/** Twilio's error body for an Orgward error response. */
export function twilioErrorBody(status: number, error: { code: string; message: string; requestId: string; details?: unknown }, baseUrl: string) {
  return {
    code: error.code,
    message: error.message,
    more_info: `${baseUrl}/docs#errors-${error.code}`,
    status,
    request_id: error.requestId,
    ...(error.details !== undefined && { details: error.details }),
  };
}

/** The error handler of the API router: the route's declared style picks the body shape. */
export function apiErrorHandler(logger: Logger, baseUrl: string) {
  return (error: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(error);
    const { status, body } = toErrorResponse(error, req.id, logger);
    if (status === 503) res.setHeader('Retry-After', '5');
    if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="orgward"');
    res.status(status).json(res.locals.errorStyle === 'twilio' ? twilioErrorBody(status, body.error, baseUrl) : body);
  };
}
