/**
 * Guards in front of the password-reset link's form (U3): a used or expired link says so at once,
 * with the way to a new one, instead of a form that cannot succeed. A live link goes on to the
 * form (links.ts).
 */
import type { NextFunction, Request, Response, Router } from 'express';
import type { Services } from '../../services/index.js';
import { sendDeadLink, tokenParam } from './link-pages.js';

export function linkGuards(router: Router, services: Services): void {
  router.get('/password-reset/:token', (req: Request, res: Response, next: NextFunction) => {
    services.resetLinks.state(tokenParam(req)).then((state) => {
      if (state === 'live') next();
      else sendDeadLink(res, 'password_reset', state);
    }, next);
  });
}
