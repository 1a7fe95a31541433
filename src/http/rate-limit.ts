/**
 * Rate limits of the sign-in, reset, invitation and sign-up forms and of failed SCIM
 * authentication: per client address and per target (the email or link a request aims at), kept
 * in the database (store/rate-limits.ts) so every instance shares them. Over the limit: 429 with
 * Retry-After. These bound volume; the back-off against password and code guessing is decided
 * per (account, address) and per account under row locks (rules/sign-in-lockout.ts).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '../errors.js';
import type { RateLimitPolicy, RateLimitResult, Store } from '../store/index.js';

/** The limits; createApp takes any of them (tests lower them). */
export interface RateLimitSettings {
  /** Requests of one kind (sign-in, reset request, …) from one client address. */
  readonly perClient: RateLimitPolicy;
  /** Requests of one kind aimed at one target (email address, link) from all addresses. */
  readonly perTarget: RateLimitPolicy;
  /** Failed SCIM authentications from one client address. */
  readonly scimAuthFailures: RateLimitPolicy;
}

export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  perClient: { points: 120, durationSeconds: 60, blockSeconds: 60 },
  perTarget: { points: 60, durationSeconds: 15 * 60 },
  scimAuthFailures: { points: 30, durationSeconds: 60, blockSeconds: 5 * 60 },
};

export const rateLimitSettings = (given: Partial<RateLimitSettings> | undefined): RateLimitSettings => ({ ...DEFAULT_RATE_LIMITS, ...given });

const LOOPBACK = /^(?:127\.|::1$|::ffff:127\.)/;

/**
 * The client address of a plain Node request, as Express's `trust proxy: 'loopback'` finds it:
 * the nearest X-Forwarded-For entry that is not a loopback proxy.
 */
export function clientAddress(req: IncomingMessage): string {
  let address = req.socket.remoteAddress ?? 'unknown';
  const forwarded = req.headers['x-forwarded-for'];
  if (typeof forwarded === 'string') {
    const hops = forwarded.split(',').map((h) => h.trim()).filter((h) => h !== '');
    while (LOOPBACK.test(address) && hops.length > 0) address = hops.pop()!;
  }
  return address;
}

/** Keys stay short and carry no email address in clear. */
const digest = (text: string): string => createHash('sha256').update(text).digest('base64url');

const tooMany = (result: Extract<RateLimitResult, { ok: false }>) => {
  const retryAfterSeconds = Math.ceil(result.retryAfterMs / 1000);
  return new DomainError('too_many_attempts', `Too many requests. Try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s).`, { details: { retryAfterSeconds } });
};

/** The limiters of the browser forms. */
export function formRateLimits(store: Store, settings: RateLimitSettings) {
  const perClient = store.rateLimiter('rl_client', settings.perClient);
  const perTarget = store.rateLimiter('rl_target', settings.perTarget);
  return {
    /**
     * Express middleware counting one request of `kind` against the client address and, when
     * `target` names one, against that target. 429 too_many_attempts with Retry-After when over.
     */
    route(kind: string, target?: (req: Request) => string | undefined) {
      return (req: Request, res: Response, next: NextFunction): void => {
        const aim = target?.(req);
        const checks = [perClient.consume(`${kind}:${req.ip ?? 'unknown'}`)];
        if (aim) checks.push(perTarget.consume(`${kind}:${digest(aim.trim().toLowerCase())}`));
        Promise.all(checks).then((results) => {
          const refused = results.filter((r) => !r.ok).sort((a, b) => b.retryAfterMs - a.retryAfterMs)[0];
          if (!refused) return next();
          const error = tooMany(refused);
          res.setHeader('Retry-After', String(error.details!.retryAfterSeconds));
          next(error);
        }, next);
      };
    },
  };
}

/**
 * Failed SCIM authentication per client address. Only failures are counted, so the path of a
 * valid token costs no query; once over the limit, failures are answered 429 instead of 401.
 */
export function scimAuthFailureLimit(store: Store, settings: RateLimitSettings) {
  const limiter = store.rateLimiter('rl_scim_auth', settings.scimAuthFailures);
  return {
    /** Counts a failure of `req`; the wait when it is over the limit, else null. */
    async failed(req: IncomingMessage): Promise<number | null> {
      const result = await limiter.consume(clientAddress(req));
      return result.ok ? null : Math.ceil(result.retryAfterMs / 1000);
    },
  };
}
