/**
 * POST /Bulk (RFC 7644 §3.7): operations run one by one, each in its own transaction and through
 * the same handlers as a single request; `bulkId:` references (in paths and data, also forward
 * ones) are resolved to the ids created earlier in the request; `failOnErrors` stops after that
 * many errors. Operations that can never resolve (unknown or circular references) fail with 409.
 * Why not SCIMMY's BulkRequest: it runs through SCIMMY Resource classes, which would bypass the
 * set-based group membership, ETags and error mapping of the single-request handlers.
 */
import type { ScimCall, ScimReply } from './call.js';
import { parseIfMatch } from './call.js';
import { ScimError, scimErrorBody, toScimError } from './errors.js';
import { BULK_REQUEST_URN, BULK_RESPONSE_URN, LIMITS } from './schemas.js';

type Doc = Record<string, unknown>;
const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
const REFERENCE = /^bulkId:(.+)$/;
const METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

interface Operation { readonly index: number; readonly method: string; readonly path: string; readonly bulkId?: string; readonly version?: string; readonly data: unknown }

const PATH_REFERENCE = /bulkId:([^/?#]+)/g;

/** Every `bulkId:x` named in the operation: as a whole value in data, or as a segment of the path. */
function references(path: string, value: unknown, found = new Set<string>()): Set<string> {
  for (const m of path.matchAll(PATH_REFERENCE)) found.add(m[1]!);
  return dataReferences(value, found);
}

function dataReferences(value: unknown, found: Set<string>): Set<string> {
  if (typeof value === 'string') { const m = REFERENCE.exec(value); if (m) found.add(m[1]!); } else if (Array.isArray(value)) value.forEach((v) => dataReferences(v, found));
  else if (isObject(value)) Object.values(value).forEach((v) => dataReferences(v, found));
  return found;
}

function resolve(value: unknown, ids: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') { const m = REFERENCE.exec(value); return m && ids.has(m[1]!) ? ids.get(m[1]!) : value; }
  if (Array.isArray(value)) return value.map((v) => resolve(v, ids));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, ids)]));
  return value;
}

function parse(body: unknown): { operations: Operation[]; failOnErrors: number } {
  if (!isObject(body) || !Array.isArray(body.schemas) || !body.schemas.some((s) => typeof s === 'string' && s.toLowerCase() === BULK_REQUEST_URN.toLowerCase())) {
    throw new ScimError(400, 'invalidSyntax', `A Bulk request has schemas ["${BULK_REQUEST_URN}"].`);
  }
  if (!Array.isArray(body.Operations)) throw new ScimError(400, 'invalidSyntax', 'A Bulk request has an "Operations" list.');
  if (body.Operations.length > LIMITS.bulkMaxOperations) throw new ScimError(413, undefined, `A Bulk request has at most ${LIMITS.bulkMaxOperations} operations.`);
  const failOnErrors = body.failOnErrors === undefined ? Infinity : body.failOnErrors;
  if (failOnErrors !== Infinity && (typeof failOnErrors !== 'number' || !Number.isInteger(failOnErrors))) {
    throw new ScimError(400, 'invalidValue', '"failOnErrors" is an integer.');
  }
  const operations = body.Operations.map((op, index) => {
    if (!isObject(op) || typeof op.method !== 'string' || !METHODS.has(op.method.toUpperCase()) || typeof op.path !== 'string') {
      throw new ScimError(400, 'invalidSyntax', `Bulk operation ${index + 1} needs a method (POST, PUT, PATCH, DELETE) and a path.`);
    }
    if (op.bulkId !== undefined && (typeof op.bulkId !== 'string' || op.bulkId === '')) throw new ScimError(400, 'invalidValue', `Bulk operation ${index + 1}: bulkId is a string.`);
    return {
      index, method: op.method.toUpperCase(), path: op.path, data: op.data,
      ...(typeof op.bulkId === 'string' && { bulkId: op.bulkId }), ...(typeof op.version === 'string' && { version: op.version }),
    };
  });
  return { operations, failOnErrors: failOnErrors === Infinity ? Infinity : Math.max(failOnErrors, 1) };
}

export async function bulk(call: ScimCall, dispatch: (call: ScimCall) => Promise<ScimReply>): Promise<ScimReply> {
  if (call.bodyBytes > LIMITS.bulkMaxPayload) throw new ScimError(413, undefined, `A Bulk request is at most ${LIMITS.bulkMaxPayload} bytes.`);
  const { operations, failOnErrors } = parse(call.body);
  const defined = new Set(operations.flatMap((o) => (o.bulkId ? [o.bulkId] : [])));
  const ids = new Map<string, string>();
  const results = new Map<number, Doc>();
  let pending = operations;
  let errors = 0;
  const record = (op: Operation, status: number, extra: Doc) => {
    results.set(op.index, { method: op.method, ...(op.bulkId && { bulkId: op.bulkId }), status: String(status), ...extra });
    if (status >= 400) errors++;
  };
  while (pending.length > 0 && errors < failOnErrors) {
    const waiting: Operation[] = [];
    for (const op of pending) {
      if (errors >= failOnErrors) break;
      const refs = [...references(op.path, op.data)];
      if (refs.some((r) => !defined.has(r))) {
        record(op, 400, { response: scimErrorBody(400, 'invalidValue', `Unknown bulkId reference in operation ${op.index + 1}.`) });
        continue;
      }
      if (refs.some((r) => !ids.has(r))) { waiting.push(op); continue; }
      const path = op.path.replace(PATH_REFERENCE, (_m, id: string) => ids.get(id) ?? id);
      if (/^\/?Bulk/i.test(path)) { record(op, 400, { response: scimErrorBody(400, 'invalidValue', 'A Bulk operation cannot be a Bulk request.') }); continue; }
      try {
        const reply = await dispatch({ ...call, method: op.method, path: path.startsWith('/') ? path : `/${path}`, query: {}, body: resolve(op.data, ids), ifMatch: parseIfMatch(op.version), bodyBytes: 0 });
        const body = reply.body as { id?: string; meta?: { location?: string } } | undefined;
        if (op.method === 'POST' && op.bulkId && body?.id) ids.set(op.bulkId, body.id);
        record(op, reply.status, {
          ...((reply.location ?? body?.meta?.location) && { location: reply.location ?? body?.meta?.location }),
          ...(reply.etag && { version: reply.etag }),
        });
      } catch (error) {
        const { status, body } = toScimError(error, call.logger, call.requestId);
        record(op, status, { response: body });
      }
    }
    if (waiting.length === pending.length) {
      // Nothing could run: the remaining references are circular or point at failed creations.
      for (const op of waiting) record(op, 409, { response: scimErrorBody(409, undefined, `Operation ${op.index + 1} refers to a bulkId that was never created (failed or circular).`) });
      break;
    }
    pending = waiting;
  }
  const ordered = [...results.entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r);
  return { status: 200, body: { schemas: [BULK_RESPONSE_URN], Operations: ordered } };
}
