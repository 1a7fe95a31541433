/**
 * The one place Okta's and Entra ID's deviations from RFC 7643/7644 are normalised, before any
 * handler (or SCIMMY) sees a body. Also refuses bodies PostgreSQL or the handlers cannot take
 * (NUL characters, lone surrogates, absurd nesting) with a SCIM 400 instead of a 500.
 *
 * - Entra sends capitalised ops (`Replace`), booleans as strings (`"False"`), the enterprise
 *   `manager` as a bare id (and `Replace ""` to clear it), and `null` attributes in POST bodies.
 * - Okta sends a placeholder `password` and `groups: []` on POST (never stored or echoed).
 * - Both may add schema URIs we do not implement to `schemas` (Entra's extra group schema).
 * Path-less PATCH values with dotted or URN keys are standard (RFC 7644 §3.5.2) and handled by the
 * PATCH engine; a missing element addressed by `emails[type eq "work"].value` is created there.
 */
import { ScimError } from './errors.js';
import { ENTERPRISE_URN, GROUP_URN, USER_URN } from './schemas.js';

const MAX_DEPTH = 24;
const MAX_NODES = 250_000;
const BOOLEAN_KEYS = new Set(['active', 'primary']);
const KNOWN_SCHEMAS = new Set([USER_URN, ENTERPRISE_URN, GROUP_URN].map((s) => s.toLowerCase()));
const MANAGER_PATH = `${ENTERPRISE_URN}:manager`.toLowerCase();
// A lone UTF-16 surrogate cannot be stored as UTF-8; NUL cannot be stored in a PostgreSQL text.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Refuses unstorable strings and pathological shapes, iteratively (no recursion on client data). */
export function checkStorable(body: Json): void {
  const stack: [Json, number][] = [[body, 0]];
  let nodes = 0;
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (++nodes > MAX_NODES) throw new ScimError(413, undefined, 'The request body has too many values.');
    if (typeof value === 'string') {
      if (UNSTORABLE.test(value)) throw new ScimError(400, 'invalidValue', 'A value contains a character that cannot be stored (NUL or an unpaired surrogate).');
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_DEPTH) throw new ScimError(400, 'invalidSyntax', `The request body is nested deeper than ${MAX_DEPTH} levels.`);
    for (const [key, child] of Array.isArray(value) ? value.entries() : Object.entries(value)) {
      if (typeof key === 'string' && UNSTORABLE.test(key)) throw new ScimError(400, 'invalidValue', 'An attribute name contains a character that cannot be stored.');
      // No SCIM attribute has this name; copying it around would replace objects' prototypes.
      if (key === '__proto__') throw new ScimError(400, 'invalidSyntax', 'The attribute name "__proto__" is not allowed.');
      stack.push([child, depth + 1]);
    }
  }
}

/** `"True"`/`"false"` → booleans for boolean attributes (Entra). */
const asBoolean = (v: Json): Json => (typeof v === 'string' && /^(true|false)$/i.test(v.trim()) ? v.trim().toLowerCase() === 'true' : v);

/** RFC 7643 §2.5: null is unassigned. Drops nulls, coerces string booleans, normalises `manager`. */
function cleanResource(value: Json, key = ''): Json {
  if (Array.isArray(value)) return value.filter((v) => v !== null).map((v) => cleanResource(v));
  if (!isObject(value)) return BOOLEAN_KEYS.has(key.toLowerCase()) ? asBoolean(value) : value;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null) continue;
    const lower = k.toLowerCase();
    if ((lower === 'manager' || lower === MANAGER_PATH) && typeof v === 'string') {
      if (v !== '') out[k] = { value: v };
      continue;
    }
    out[k] = cleanResource(v, k);
  }
  return out;
}

/** A POST/PUT body: nulls dropped, Okta's password and groups gone, unknown schema URIs dropped. */
export function normaliseResource(body: Json, resource: 'Users' | 'Groups'): Json {
  if (!isObject(body)) return body;
  const clean = cleanResource(body) as Record<string, Json>;
  for (const key of Object.keys(clean)) {
    const lower = key.toLowerCase();
    // Read-only or never-stored attributes a client may send: ignored (RFC 7644 §3.5.1).
    if (lower === 'meta' || lower === 'id' || (resource === 'Users' && (lower === 'password' || lower === 'groups'))) delete clean[key];
  }
  if (Array.isArray(clean.schemas)) clean.schemas = clean.schemas.filter((s) => typeof s === 'string' && KNOWN_SCHEMAS.has(s.toLowerCase()));
  return clean;
}

/**
 * One PATCH operation: lower-case op, string booleans, Entra's bare manager id and `Replace ""`;
 * a `null` value (RFC 7643 §2.5: unassigned) becomes a remove, also inside a path-less value.
 */
function normaliseOperation(op: Json): Json[] {
  if (!isObject(op)) return [op];
  const out: Record<string, Json> = { ...op };
  if (typeof out.op === 'string') out.op = out.op.toLowerCase();
  const path = typeof out.path === 'string' ? out.path.trim() : undefined;
  if (path !== undefined) out.path = path;
  const lowerPath = path?.toLowerCase() ?? '';
  if (path !== undefined && (out.value === null || ((lowerPath === MANAGER_PATH || lowerPath === 'manager') && out.value === ''))) {
    return out.op === 'add' ? [{ ...out, value: null }] : [{ op: 'remove', path }];
  }
  if (lowerPath === MANAGER_PATH || lowerPath === 'manager') {
    if (isObject(out.value) && (out.value.value === '' || out.value.value === null)) return [{ op: 'remove', path }];
    if (typeof out.value === 'string') out.value = { value: out.value };
  }
  const last = lowerPath.split(/[.:]/).pop() ?? '';
  if (BOOLEAN_KEYS.has(last)) out.value = asBoolean(out.value);
  if (path === undefined && isObject(out.value) && out.op !== 'remove') {
    const cleared = Object.entries(out.value)
      .filter(([k, v]) => v === null || ((k.toLowerCase() === MANAGER_PATH) && v === ''))
      .map(([k]) => ({ op: 'remove', path: k }));
    return [{ ...out, value: cleanResource(out.value) }, ...(out.op === 'replace' ? cleared : [])];
  }
  if (Array.isArray(out.value) || isObject(out.value)) out.value = cleanResource(out.value);
  return [out];
}

export function normalisePatch(body: Json): Json {
  if (!isObject(body) || !Array.isArray(body.Operations)) return body;
  return { ...body, Operations: body.Operations.flatMap(normaliseOperation) };
}

/** Normalises a request body by method and path (also each operation of a Bulk request). */
export function normaliseBody(method: string, path: string, body: Json): Json {
  const resource = /^\/(Users|Groups)(?:\/|$)/i.exec(path)?.[1];
  const kind = resource?.toLowerCase() === 'groups' ? 'Groups' : 'Users';
  const verb = method.toUpperCase();
  if (resource && !/\.search$/i.test(path)) {
    if (verb === 'PATCH') return normalisePatch(body);
    if (verb === 'POST' || verb === 'PUT') return normaliseResource(body, kind);
    return body;
  }
  if (verb === 'POST' && /^\/Bulk\/?$/i.test(path) && isObject(body) && Array.isArray(body.Operations)) {
    return {
      ...body,
      Operations: body.Operations.map((op) => (isObject(op) && typeof op.method === 'string' && typeof op.path === 'string'
        ? { ...op, data: normaliseBody(op.method, op.path, op.data) } : op)),
    };
  }
  return body;
}
