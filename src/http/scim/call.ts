/**
 * A SCIM request as the handlers see it, whether it came over HTTP or inside a Bulk request
 * (RFC 7644 §3.7: each operation is processed as if it had been sent on its own).
 */
import type { Logger } from '../../logger.js';
import type { Services } from '../../services/index.js';
import type { IfMatch } from '../../services/scim-users.js';
import type { Actor } from '../../types.js';

export interface ScimCall {
  /** A SCIM token (/scim/v2) or an API client (the Organizations API's /Organizations/{sid}/scim). */
  readonly actor: Actor;
  readonly services: Services;
  readonly method: string;
  /** The path under the SCIM base, e.g. `/Users/US...`. */
  readonly path: string;
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: unknown;
  readonly ifMatch: IfMatch;
  /** The absolute SCIM base URL, for `meta.location` and `$ref`. */
  readonly base: string;
  /** The body's size in bytes (Bulk enforces maxPayloadSize). */
  readonly bodyBytes: number;
  readonly logger: Logger;
  readonly requestId: string;
}

export interface ScimReply {
  readonly status: number;
  readonly body?: unknown;
  readonly etag?: string;
  readonly location?: string;
}

/** RFC 7232 §3.1: `*` or a list of entity tags; weak and strong tags compare by their opaque value. */
export function parseIfMatch(header: string | undefined): IfMatch {
  if (header === undefined || header.trim() === '') return undefined;
  if (header.trim() === '*') return '*';
  return header.split(',').map((t) => t.trim().replace(/^W\//i, '').replace(/^"(.*)"$/, '$1')).filter((t) => t !== '');
}
