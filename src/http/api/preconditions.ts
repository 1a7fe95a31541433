/**
 * Reusable request preconditions of the Organizations API:
 * - Idempotency-Key on mutations: the same key with the same body returns the first result and
 *   never changes anything a second time; the same key with another body is 422
 *   `idempotency_key_reused`; a key whose first request is still running is 409
 *   `idempotency_key_in_progress`. Keys live in the database, so every instance shares them.
 * - ETag / If-Match on updates: a stale If-Match is 412 `precondition_failed`.
 */
import { hash } from 'node:crypto';
import type { Request } from 'express';
import { DomainError } from '../../errors.js';
import type { Services } from '../../services/index.js';
import { actorLabel } from '../../types.js';
import type { Principal } from './principal.js';
import type { RouteResult } from './registry.js';

export const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  description: 'Any string up to 255 characters: repeating the request with the same key and body returns the first result without a second change.',
} as const;

export const IF_MATCH_HEADER = {
  name: 'If-Match',
  description: "The resource's ETag from a previous read; a stale one is refused with 412.",
} as const;

/** A strong ETag of a resource representation. */
export const etagOf = (representation: unknown): string => `"${hash('sha256', JSON.stringify(representation), 'base64url').slice(0, 27)}"`;

/** Refuses a stale If-Match (RFC 9110 §13.1.1); no header means no precondition. */
export function checkIfMatch(req: Request, current: unknown): void {
  const given = req.get('if-match');
  if (given === undefined) return;
  const tag = etagOf(current);
  const listed = given.split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (!listed.includes('*') && !listed.includes(tag)) {
    throw new DomainError('precondition_failed', 'The resource changed since you read it (If-Match does not match its ETag). Read it again and retry with the new ETag.', { details: { httpStatus: 412 } });
  }
}

const KEY_SHAPE = /^[\x20-\x7e]{1,255}$/;

/** Runs `mutation` at most once per (caller, Idempotency-Key); replays its first result. */
export async function idempotent(services: Services, req: Request, principal: Principal, body: unknown, mutation: () => Promise<RouteResult>): Promise<RouteResult> {
  const key = req.get('idempotency-key');
  if (key === undefined) return mutation();
  if (!KEY_SHAPE.test(key)) throw new DomainError('invalid_input', 'An Idempotency-Key is 1 to 255 printable ASCII characters.');
  const requestHash = hash('sha256', JSON.stringify([req.method, req.path, body]), 'hex');
  const result = await services.idempotency.once(actorLabel(principal.actor), key, requestHash, async () => {
    const r = await mutation();
    return { status: r.status, body: r.body, headers: r.headers ?? {} };
  });
  return { status: result.status, body: result.body, headers: result.replayed ? { ...result.headers, 'Idempotent-Replayed': 'true' } : result.headers };
}
