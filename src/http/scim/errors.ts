/**
 * The one place an error becomes a SCIM Error response (RFC 7644 §3.12): every SCIM handler,
 * the Bulk endpoint and the Express error handler go through `toScimError`. SCIMMY itself would
 * turn any non-SCIM error thrown by a handler into a 404, which is why nothing reaches it unmapped.
 * Anything unknown is a 500 with a fixed detail; its cause is logged, never sent.
 */
import SCIMMY from 'scimmy';
import { isDomainError, type DomainError, type ErrorCode, type ErrorKind } from '../../errors.js';
import type { Logger } from '../../logger.js';

export const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';

export type ScimType = 'uniqueness' | 'tooMany' | 'invalidFilter' | 'mutability' | 'invalidSyntax' | 'invalidPath' | 'noTarget' | 'invalidValue' | 'invalidVers' | 'sensitive';

export interface ScimErrorBody {
  readonly schemas: readonly [typeof ERROR_URN];
  readonly status: string;
  readonly scimType?: ScimType;
  readonly detail: string;
}

/** A protocol error raised by the SCIM adapter itself (bad request shape, unsupported method...). */
export class ScimError extends Error {
  constructor(readonly status: number, readonly scimType: ScimType | undefined, message: string) {
    super(message);
    this.name = 'ScimError';
  }
}

export const scimErrorBody = (status: number, scimType: ScimType | undefined, detail: string): ScimErrorBody => ({
  schemas: [ERROR_URN], status: String(status), ...(scimType && { scimType }), detail,
});

/** Codes whose SCIM meaning is more precise than their kind's. */
const BY_CODE: Partial<Record<ErrorCode, [number, ScimType | undefined]>> = {
  scim_invalid_filter: [400, 'invalidFilter'],
  scim_invalid_syntax: [400, 'invalidSyntax'],
  scim_invalid_path: [400, 'invalidPath'],
  scim_no_target: [400, 'noTarget'],
  scim_too_many: [400, 'tooMany'],
  scim_version_mismatch: [412, undefined],
  // C4: the Owner cannot be suspended or deleted through SCIM: refused, not a uniqueness clash.
  owner_required: [403, undefined],
  // A serialisation failure between concurrent writes: retry, nothing is duplicated.
  conflict: [409, undefined],
};

const BY_KIND: Record<ErrorKind, [number, ScimType | undefined]> = {
  invalid: [400, 'invalidValue'],
  immutable: [400, 'mutability'],
  conflict: [409, 'uniqueness'],
  forbidden: [403, undefined],
  not_found: [404, undefined],
  unauthenticated: [401, undefined],
  unavailable: [503, undefined],
};

const INTERNAL = 'An internal error occurred. The request id identifies it in the server log.';

function fromDomain(error: DomainError): [number, ScimType | undefined, string] {
  const [status, scimType] = BY_CODE[error.code] ?? BY_KIND[error.kind];
  return [status, scimType, error.message];
}

/** body-parser and Express errors a client can cause: malformed JSON, too large, bad charset. */
function fromHttp(error: unknown): [number, ScimType | undefined, string] | undefined {
  const e = error as { type?: string; status?: number; statusCode?: number } | null;
  const status = e?.status ?? e?.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  if (e?.type === 'entity.too.large' || status === 413) return [413, undefined, 'The request body is too large.'];
  if (e?.type === 'entity.parse.failed') return [400, 'invalidSyntax', 'The request body is not valid JSON.'];
  return [400, 'invalidSyntax', 'The request body cannot be read: send JSON as application/scim+json in UTF-8.'];
}

/** Maps any error to the SCIM status and Error body; logs what is not the client's doing. */
export function toScimError(error: unknown, logger: Logger, requestId: string): { status: number; body: ScimErrorBody } {
  let mapped: [number, ScimType | undefined, string] | undefined;
  if (error instanceof ScimError) mapped = [error.status, error.scimType, error.message];
  else if (isDomainError(error)) mapped = fromDomain(error);
  else if (error instanceof SCIMMY.Types.Error) {
    const e = error as unknown as { status: number; scimType?: ScimType; message: string };
    mapped = e.status >= 400 && e.status < 500 ? [e.status, e.scimType, e.message] : undefined;
  } else mapped = fromHttp(error);
  if (!mapped) {
    logger.error('scim request failed', { requestId, error });
    return { status: 500, body: scimErrorBody(500, undefined, INTERNAL) };
  }
  const [status, scimType, detail] = mapped;
  if (status >= 500) logger.warn(detail, { requestId, cause: (error as { cause?: unknown }).cause });
  return { status, body: scimErrorBody(status, scimType, detail) };
}
