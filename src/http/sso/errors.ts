/**
 * The one place SSO failures become what the browser sees (STYLE.md, "SSO"): a DomainError keeps
 * its code and safe message; anything else, an Orgward protocol check (SsoRejected) or an error
 * from node-saml, xml-crypto, xmldom or openid-client, becomes `sso_response_invalid` with the
 * cause logged. The page shows the code and the request id, never IdP or XML text.
 */
import type { NextFunction, Request, Response } from 'express';
import { isDomainError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { knownErrorPage, renderErrorPage, type ErrorPage } from '../auth/pages.js';

const INVALID_MESSAGE = 'The sign-in response from your identity provider was not accepted. Start the sign-in again from the sign-in page; if it keeps failing, tell your administrator the request id below.';

/** Maps any SSO failure to its page, logging the cause. */
export function ssoFailure(error: unknown, logger: Logger, requestId: string): ErrorPage {
  if (isDomainError(error)) {
    const page = knownErrorPage(error)!;
    logger[page.status >= 500 ? 'warn' : 'info']('sso sign-in refused', { requestId, code: error.code, cause: error.cause });
    return page;
  }
  const httpStatus = (error as { status?: unknown; type?: unknown } | null)?.status;
  const status = typeof httpStatus === 'number' && httpStatus >= 400 && httpStatus < 500 ? httpStatus : 401;
  logger.warn('sso response invalid', { requestId, cause: error });
  return { status, code: 'sso_response_invalid', message: INVALID_MESSAGE };
}

/** Express error middleware for every /sso route. */
export function ssoErrors(logger: Logger) {
  return (error: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(error);
    renderErrorPage(res, req.id, ssoFailure(error, logger, req.id));
  };
}
