/**
 * Error pages of the browser flows: a DomainError shows its safe message with its code and the
 * request id; anything else is logged and shown as a generic failure. Never a stack trace.
 */
import type { NextFunction, Request, Response } from 'express';
import { isDomainError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { fromHttpError, STATUS_BY_KIND } from '../error-handler.js';
import { html, sendPage, type Raw } from './html.js';

export interface ErrorPage { readonly status: number; readonly code: string; readonly message: string }

/** The page for a known error; status 429 for back-off, so clients know to wait. */
export function knownErrorPage(error: unknown): ErrorPage | undefined {
  const known = isDomainError(error) ? error : fromHttpError(error);
  if (!known) return undefined;
  const httpStatus = known.details?.httpStatus;
  const status = typeof httpStatus === 'number' ? httpStatus : known.code === 'too_many_attempts' ? 429 : STATUS_BY_KIND[known.kind];
  return { status, code: known.code, message: known.message };
}

/** The page for any error: a known one as it is; anything else logged and shown as a generic failure. */
export function errorPageOf(error: unknown, logger: Logger, requestId: string): ErrorPage {
  const page = knownErrorPage(error);
  if (page) return page;
  logger.error('unhandled error', { requestId, error });
  return INTERNAL_ERROR_PAGE;
}

const INTERNAL_ERROR_PAGE: ErrorPage = { status: 500, code: 'internal_error', message: 'Something went wrong on our side. Try again.' };

export function renderErrorPage(res: Response, requestId: string, page: ErrorPage, extra?: Raw): void {
  sendPage(res, page.status, 'Sign-in problem', html`<div class="error"><p>${page.message}</p><p><small>Error <code>${page.code}</code> · request <code>${requestId}</code></small></p></div>${extra ?? ''}<p><a href="/login">Back to sign-in</a></p>`);
}

/** Express error middleware for the sign-in pages. */
export function pageErrors(logger: Logger) {
  return (error: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(error);
    const page = knownErrorPage(error);
    const retryAfter = isDomainError(error) ? error.details?.retryAfterSeconds : undefined;
    if (page?.status === 429 && typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
    if (page) {
      if (page.status >= 500 && isDomainError(error)) logger.warn(error.message, { requestId: req.id, code: error.code, cause: error.cause });
      renderErrorPage(res, req.id, page);
      return;
    }
    logger.error('unhandled error', { requestId: req.id, error });
    renderErrorPage(res, req.id, INTERNAL_ERROR_PAGE);
  };
}
