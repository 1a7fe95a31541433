/**
 * List parameters (RFC 7644 §3.4.2: filter, sortBy/sortOrder, startIndex/count; §3.9 attributes,
 * excludedAttributes), from the query string (strings: the app's 'simple' query parser leaves
 * req.query read-only and untyped, so they are cast here) or a SearchRequest body; the
 * ListResponse envelope built with the database's exact total (not SCIMMY's ListResponse, which
 * re-slices rows that are already a page); and the projection of attributes.
 */
import { DomainError } from '../../errors.js';
import type { ScimAttrPath, ScimFilter, ScimListQuery } from '../../services/scim-users.js';
import { parseFilter, toAttrPath } from './filter.js';
import { LIMITS, LIST_URN, type ResourceMeta } from './schemas.js';

type Doc = Record<string, unknown>;
const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An attribute named in attributes/excludedAttributes: a schema URN alone, or an attribute path. */
export type Selector = { readonly schemaOnly: string } | { readonly path: ScimAttrPath };

export interface ListParams {
  readonly filter?: ScimFilter;
  readonly sortBy?: ScimAttrPath;
  readonly descending: boolean;
  readonly startIndex: number;
  readonly count: number;
  readonly attributes?: readonly Selector[];
  readonly excluded?: readonly Selector[];
  /** Root /.search: attributes a resource type lacks match nothing there. */
  readonly lenient?: boolean;
}

const KNOWN_URNS = [
  'urn:ietf:params:scim:schemas:core:2.0:user', 'urn:ietf:params:scim:schemas:core:2.0:group',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user',
];

function single(value: unknown, name: string): unknown {
  if (Array.isArray(value)) throw new DomainError('invalid_input', `"${name}" is given more than once.`);
  return value;
}

function integer(value: unknown, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n) || !Number.isInteger(n)) throw new DomainError('invalid_input', `"${name}" is an integer.`);
  return n;
}

/** Parses `attributes` / `excludedAttributes`: comma-separated (query) or a list (SearchRequest). */
export function selectors(value: unknown, name: string): Selector[] | undefined {
  if (value === undefined || value === '') return undefined;
  const items = typeof value === 'string' ? value.split(',') : Array.isArray(value) && value.every((v) => typeof v === 'string') ? value as string[] : undefined;
  if (!items) throw new DomainError('invalid_input', `"${name}" is a comma-separated list of attribute names.`);
  return items.map((s) => s.trim()).filter((s) => s !== '').map((s) => (KNOWN_URNS.includes(s.toLowerCase())
    ? { schemaOnly: s.toLowerCase() }
    : { path: toAttrPath(s, 'invalid_input') }));
}

/** The `attributes` / `excludedAttributes` of a single-resource request's query string. */
export const projectionOf = (query: Readonly<Record<string, unknown>>): Pick<ListParams, 'attributes' | 'excluded'> => ({
  attributes: selectors(query.attributes, 'attributes'), excluded: selectors(query.excludedAttributes, 'excludedAttributes'),
});

/** The page a list or search asks the service for (SCIM's 1-based startIndex as an offset). */
export const listQueryOf = (params: ListParams): ScimListQuery => ({
  ...(params.filter && { filter: params.filter }), ...(params.sortBy && { sortBy: params.sortBy }),
  descending: params.descending, offset: params.startIndex - 1, limit: params.count, lenient: params.lenient === true,
});

/** Reads list parameters from req.query, or from a SearchRequest body (where attribute lists are arrays). */
export function listParams(source: Doc, from: 'query' | 'body' = 'query'): ListParams {
  const list = (name: string) => (from === 'body' ? source[name] : single(source[name], name));
  const filterText = single(source.filter, 'filter');
  if (filterText !== undefined && typeof filterText !== 'string') throw new DomainError('scim_invalid_filter', 'The filter is a string.');
  const sortBy = single(source.sortBy, 'sortBy');
  if (sortBy !== undefined && (typeof sortBy !== 'string' || sortBy.trim() === '')) throw new DomainError('invalid_input', '"sortBy" names an attribute.');
  const sortOrder = single(source.sortOrder, 'sortOrder');
  if (sortOrder !== undefined && (typeof sortOrder !== 'string' || !/^(ascending|descending)$/i.test(sortOrder))) {
    throw new DomainError('invalid_input', '"sortOrder" is ascending or descending.');
  }
  // RFC 7644 §3.4.2.4: startIndex below 1 is 1; a negative count is 0; more than the maximum is capped.
  const startIndex = Math.min(Math.max(integer(single(source.startIndex, 'startIndex'), 'startIndex') ?? 1, 1), Number.MAX_SAFE_INTEGER);
  const count = Math.min(Math.max(integer(single(source.count, 'count'), 'count') ?? LIMITS.defaultCount, 0), LIMITS.maxResults);
  const attributes = selectors(list('attributes'), 'attributes');
  const excluded = selectors(list('excludedAttributes'), 'excludedAttributes');
  return {
    ...(typeof filterText === 'string' && filterText.trim() !== '' && { filter: parseFilter(filterText) }),
    ...(typeof sortBy === 'string' && { sortBy: toAttrPath(sortBy.trim(), 'invalid_input') }),
    descending: typeof sortOrder === 'string' && sortOrder.toLowerCase() === 'descending',
    startIndex, count,
    ...(attributes && { attributes }), ...(excluded && { excluded }),
  };
}

/** RFC 7644 §3.4.2: the ListResponse, with the requested startIndex echoed. */
export function listEnvelope(resources: readonly Doc[], totalResults: number, startIndex: number): Doc {
  return { schemas: [LIST_URN], totalResults, startIndex, itemsPerPage: resources.length, Resources: resources };
}

/** True when the selection returns `attr` (e.g. whether to load a group's members at all). */
export function selects(p: { attributes?: readonly Selector[]; excluded?: readonly Selector[] }, attr: string): boolean {
  const named = (list: readonly Selector[]) => list.some((s) => 'path' in s && s.path.attr === attr && (s.path.schema === null || !s.path.schema.includes('extension')));
  if (p.attributes) return named(p.attributes);
  return !(p.excluded && p.excluded.some((s) => 'path' in s && s.path.attr === attr && s.path.sub === null));
}

const findKey = (o: Doc, lowerName: string) => Object.keys(o).find((k) => k.toLowerCase() === lowerName);

/** RFC 7644 §3.9: keeps (or drops) the selected attributes; `schemas` and `id` are always returned. */
export function project(doc: Doc, p: { attributes?: readonly Selector[]; excluded?: readonly Selector[] }, meta: ResourceMeta): Doc {
  if (!p.attributes && !p.excluded) return doc;
  const containerKey = (s: Selector): string | null => {
    const urn = 'schemaOnly' in s ? s.schemaOnly : s.path.schema;
    if (urn === null || urn === meta.core.urn.toLowerCase()) return null;
    return meta.extensions.get(urn)?.urn ?? '\u0000';
  };
  if (p.attributes) {
    const out: Doc = { schemas: doc.schemas, id: doc.id };
    for (const s of p.attributes) {
      const ext = containerKey(s);
      if (ext === '\u0000') continue;
      const from = ext === null ? doc : doc[ext];
      if (!isObject(from)) continue;
      if ('schemaOnly' in s) { out[ext!] = from; continue; }
      const to = ext === null ? out : ((out[ext] as Doc | undefined) ?? (out[ext] = {}) as Doc);
      const key = findKey(from, s.path.attr);
      if (key === undefined) continue;
      const value = from[key];
      if (s.path.sub === null) { to[key] = value; continue; }
      const pick = (v: unknown) => {
        if (!isObject(v)) return undefined;
        const sk = findKey(v, s.path.sub!);
        return sk === undefined ? undefined : { [sk]: v[sk] };
      };
      if (Array.isArray(value)) {
        const prior = Array.isArray(to[key]) ? to[key] as Doc[] : [];
        to[key] = value.map((v, i) => ({ ...(prior[i] ?? {}), ...(pick(v) ?? {}) }));
      } else if (isObject(value)) to[key] = { ...(isObject(to[key]) ? to[key] as Doc : {}), ...(pick(value) ?? {}) };
    }
    return out;
  }
  const out = structuredClone(doc);
  for (const s of p.excluded ?? []) {
    const ext = containerKey(s);
    if (ext === '\u0000') continue;
    if ('schemaOnly' in s) { if (ext !== null) delete out[ext]; continue; }
    const from = ext === null ? out : out[ext];
    if (!isObject(from)) continue;
    const key = findKey(from, s.path.attr);
    if (key === undefined || (ext === null && (key === 'id' || key === 'schemas'))) continue;
    if (s.path.sub === null) { delete from[key]; continue; }
    for (const v of Array.isArray(from[key]) ? from[key] as unknown[] : [from[key]]) {
      if (isObject(v)) { const sk = findKey(v, s.path.sub); if (sk !== undefined) delete v[sk]; }
    }
  }
  return out;
}
