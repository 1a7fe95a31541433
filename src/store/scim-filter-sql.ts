/**
 * SCIM filters (RFC 7644 §3.4.2.2) as SQL: the parsed filter is compiled to a WHERE fragment with
 * bindings, so every list and lookup runs in the database (never in memory). The attribute
 * registries (scim-attributes.ts) say which column or JSON element each attribute lives in.
 */
import { DomainError } from '../errors.js';

/** An attribute path; names are lower-cased (RFC 7643 §2.1: attribute names are case-insensitive). */
export interface ScimAttrPath {
  /** The lower-cased schema URN when the path was written with one, else null. */
  readonly schema: string | null;
  readonly attr: string;
  readonly sub: string | null;
}

export type ScimFilterValue = string | number | boolean | null;
export type ScimComparator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'lt' | 'ge' | 'le';

/** A parsed SCIM filter. Inside `has`, paths name sub-attributes of the multi-valued attribute. */
export type ScimFilter =
  | { readonly kind: 'and' | 'or'; readonly left: ScimFilter; readonly right: ScimFilter }
  | { readonly kind: 'not'; readonly filter: ScimFilter }
  | { readonly kind: 'present'; readonly path: ScimAttrPath }
  | { readonly kind: 'compare'; readonly path: ScimAttrPath; readonly op: ScimComparator; readonly value: ScimFilterValue }
  | { readonly kind: 'has'; readonly path: ScimAttrPath; readonly filter: ScimFilter };

export interface SqlFragment {
  readonly sql: string;
  readonly bindings: readonly unknown[];
}

export type ScalarType = 'string' | 'boolean' | 'dateTime';

/** A single value: an SQL expression over the resource's row aliases. */
export interface ScalarAttr {
  readonly kind: 'scalar';
  readonly type: ScalarType;
  readonly caseExact: boolean;
  /** For booleans: an expression that is never NULL. */
  readonly sql: string;
  /** An index-friendly predicate for `eq` (e.g. the userName lookup IdPs make before every create). */
  readonly eq?: (value: string) => SqlFragment;
  /** The same value for every resource (meta.resourceType): nothing to sort by. */
  readonly constant?: true;
}

/** A multi-valued attribute: rows of `from` (alias `el`) related to the resource by `correlate`. */
export interface MultiAttr {
  readonly kind: 'multi';
  readonly from: string;
  readonly correlate: string;
  /** The order of the values as the representation lists them (sorting takes the primary, else the first: RFC 7644 §3.4.2.3). */
  readonly order: string;
  readonly sub: Readonly<Record<string, ScalarAttr>>;
  /**
   * An index-friendly superset of the resources with an element whose `value` equals the given
   * one (case-insensitively): ANDed before the exact EXISTS, so an `eq` lookup starts from the
   * few resources that can match instead of scanning every one (emails: Entra's match by email).
   */
  readonly valueEq?: (value: string) => SqlFragment;
}

export type AttrDef = ScalarAttr | MultiAttr;

/** Resolves an attribute path of one resource type to its definition, or undefined. */
export type AttrRegistry = (path: ScimAttrPath) => AttrDef | undefined;

const invalid = (message: string) => new DomainError('scim_invalid_filter', message);
const describe = (p: ScimAttrPath) => `${p.schema ? `${p.schema}:` : ''}${p.attr}${p.sub ? `.${p.sub}` : ''}`;

// RFC 7644 §3.4.2.2: dateTime values are xsd:dateTime strings.
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

const likeEscape = (s: string) => s.replace(/[!%_]/g, (c) => `!${c}`);

/** One comparison on a scalar expression. */
function compareScalar(attr: ScalarAttr, name: string, op: ScimComparator, value: ScimFilterValue): SqlFragment {
  if (attr.type === 'boolean') {
    const bool = typeof value === 'boolean' ? value : typeof value === 'string' && /^(true|false)$/i.test(value) ? value.toLowerCase() === 'true' : undefined;
    if (bool === undefined || (op !== 'eq' && op !== 'ne')) throw invalid(`'${name}' is a boolean: compare it with eq or ne and true or false.`);
    return { sql: `((${attr.sql}) = ${(op === 'eq') === bool ? 'true' : 'false'})`, bindings: [] };
  }
  if (value === null) {
    if (op === 'eq') return { sql: `((${attr.sql}) IS NULL)`, bindings: [] };
    if (op === 'ne') return { sql: `((${attr.sql}) IS NOT NULL)`, bindings: [] };
    throw invalid(`null can only be compared with eq or ne ('${name}').`);
  }
  if (attr.type === 'dateTime') {
    if (typeof value !== 'string' || !ISO_DATETIME.test(value) || Number.isNaN(Date.parse(value))) {
      throw invalid(`'${name}' is a dateTime: compare it with a quoted date such as "2026-01-31T12:00:00Z".`);
    }
    if (op === 'co' || op === 'sw' || op === 'ew') throw invalid(`'${name}' is a dateTime: ${op} does not apply.`);
    return { sql: `((${attr.sql}) ${SQL_OPS[op]} CAST(? AS timestamptz))`, bindings: [value] };
  }
  const text = String(value);
  if (op === 'eq' && attr.eq) return attr.eq(text);
  const left = attr.caseExact ? `(${attr.sql})` : `lower(${attr.sql})`;
  const right = attr.caseExact ? '?' : 'lower(?)';
  switch (op) {
    case 'eq': return { sql: `(${left} = ${right})`, bindings: [text] };
    // An absent value is "not equal" to anything (RFC 7644 §3.4.2.2 ne).
    case 'ne': return { sql: `(${left} IS DISTINCT FROM ${right})`, bindings: [text] };
    case 'co': return { sql: `(${left} LIKE ${right} ESCAPE '!')`, bindings: [`%${likeEscape(text)}%`] };
    case 'sw': return { sql: `(${left} LIKE ${right} ESCAPE '!')`, bindings: [`${likeEscape(text)}%`] };
    case 'ew': return { sql: `(${left} LIKE ${right} ESCAPE '!')`, bindings: [`%${likeEscape(text)}`] };
    default: return { sql: `(${left} ${SQL_OPS[op]} ${right})`, bindings: [text] };
  }
}

const SQL_OPS: Record<'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le', string> = { eq: '=', ne: '<>', gt: '>', lt: '<', ge: '>=', le: '<=' };

function present(attr: ScalarAttr): string {
  return attr.type === 'string' ? `(COALESCE(${attr.sql}, '') <> '')` : `((${attr.sql}) IS NOT NULL)`;
}

class UnknownAttribute extends Error {}

function resolve(registry: AttrRegistry, path: ScimAttrPath): AttrDef {
  const def = registry(path);
  if (!def) throw new UnknownAttribute(`The filter names an attribute this resource does not have: '${describe(path)}'.`);
  return def;
}

/** The element attribute a comparison on a multi-valued attribute means (`emails` alone is `emails.value`). */
function elementAttr(multi: MultiAttr, sub: string | null, path: ScimAttrPath): ScalarAttr {
  const attr = multi.sub[sub ?? 'value'];
  if (!attr) throw new UnknownAttribute(`The filter names an attribute this resource does not have: '${describe(path)}'.`);
  return attr;
}

const exists = (multi: MultiAttr, where: SqlFragment): SqlFragment => ({
  sql: `EXISTS (SELECT 1 FROM ${multi.from} WHERE ${multi.correlate} AND ${where.sql})`,
  bindings: where.bindings,
});

/** The string an element filter requires `value` to equal (a top-level `value eq "…"` conjunct), if any. */
function requiredValue(filter: ScimFilter): string | undefined {
  if (filter.kind === 'and') return requiredValue(filter.left) ?? requiredValue(filter.right);
  const isValue = filter.kind === 'compare' && filter.op === 'eq' && typeof filter.value === 'string'
    && filter.path.schema === null && filter.path.attr === 'value' && filter.path.sub === null;
  return isValue ? (filter.value as string) : undefined;
}

/** {@link exists}, narrowed first by the attribute's index-friendly superset when the value is known. */
function existsNarrowed(multi: MultiAttr, where: SqlFragment, value: string | undefined): SqlFragment {
  const found = exists(multi, where);
  if (value === undefined || !multi.valueEq) return found;
  const candidates = multi.valueEq(value);
  return { sql: `(${candidates.sql} AND ${found.sql})`, bindings: [...candidates.bindings, ...found.bindings] };
}

/**
 * Compiles `filter` against `registry` into a boolean SQL expression (NULL only where it means
 * false). An attribute the resource does not have is an invalid filter, or, when `lenient` (a
 * search across resource types, RFC 7644 §3.4.3), a comparison that matches nothing.
 */
export function compileFilter(filter: ScimFilter, registry: AttrRegistry, lenient = false): SqlFragment {
  try {
    return compileNode(filter, registry, lenient);
  } catch (error) {
    if (error instanceof UnknownAttribute) throw invalid(error.message);
    throw error;
  }
}

function compileNode(filter: ScimFilter, registry: AttrRegistry, lenient: boolean): SqlFragment {
  if (lenient && 'path' in filter && registry(filter.path) === undefined) {
    return { sql: 'false', bindings: [] };
  }
  switch (filter.kind) {
    case 'and':
    case 'or': {
      const left = compileNode(filter.left, registry, lenient);
      const right = compileNode(filter.right, registry, lenient);
      return { sql: `(${left.sql} ${filter.kind.toUpperCase()} ${right.sql})`, bindings: [...left.bindings, ...right.bindings] };
    }
    case 'not': {
      // Two-valued logic: an absent attribute does not match, so "not" of it does (RFC 7644 §3.4.2.2).
      const inner = compileNode(filter.filter, registry, lenient);
      return { sql: `(NOT COALESCE(${inner.sql}, false))`, bindings: inner.bindings };
    }
    case 'present': {
      const def = resolve(registry, filter.path);
      if (def.kind === 'scalar') return { sql: present(def), bindings: [] };
      const where = filter.path.sub === null ? { sql: 'true', bindings: [] } : { sql: present(elementAttr(def, filter.path.sub, filter.path)), bindings: [] };
      return exists(def, where);
    }
    case 'compare': {
      const def = resolve(registry, filter.path);
      if (def.kind === 'scalar') return compareScalar(def, describe(filter.path), filter.op, filter.value);
      const onValue = (filter.path.sub ?? 'value') === 'value' && filter.op === 'eq' && typeof filter.value === 'string';
      return existsNarrowed(def, compareScalar(elementAttr(def, filter.path.sub, filter.path), describe(filter.path), filter.op, filter.value),
        onValue ? (filter.value as string) : undefined);
    }
    case 'has': {
      const def = resolve(registry, filter.path);
      if (def.kind !== 'multi' || filter.path.sub !== null) throw invalid(`'${describe(filter.path)}[...]' needs a multi-valued attribute.`);
      return existsNarrowed(def, compileNode(filter.filter, elementRegistry(def), false), requiredValue(filter.filter));
    }
  }
}

/** Inside `attr[...]`, paths name the element's sub-attributes. */
function elementRegistry(multi: MultiAttr): AttrRegistry {
  return (path) => (path.schema === null && path.sub === null ? multi.sub[path.attr] : undefined);
}

const notSortable = (path: ScimAttrPath) =>
  new DomainError('invalid_input', `sortBy names an attribute this resource cannot be sorted by: '${describe(path)}'. `
    + 'Name a single-valued attribute or a sub-attribute, e.g. userName, name.familyName, emails.value or meta.created.');

/**
 * The SQL to sort by `path` (RFC 7644 §3.4.2.3), or null when every resource has the same value
 * (nothing to sort). Strings compare in Unicode code point order (COLLATE "C": no locale
 * implied), lower-cased unless case-exact; a multi-valued attribute sorts by its primary value,
 * else its first; resources without a value come last ascending, first descending (PostgreSQL's
 * NULL order). Unknown and complex attributes are 400 invalidValue.
 */
export function compileSort(path: ScimAttrPath, registry: AttrRegistry): string | null {
  const def = registry(path);
  if (!def) throw notSortable(path);
  const scalar = def.kind === 'scalar' ? def : def.sub[path.sub ?? 'value'];
  if (!scalar) throw notSortable(path);
  if (scalar.constant) return null;
  const expr = scalar.type !== 'string' ? `(${scalar.sql})` : scalar.caseExact ? `(${scalar.sql}) COLLATE "C"` : `lower(${scalar.sql}) COLLATE "C"`;
  if (def.kind === 'scalar') return expr;
  const primary = def.sub.primary ? `(${def.sub.primary.sql}) DESC, ` : '';
  return `(SELECT ${expr} FROM ${def.from} WHERE ${def.correlate} ORDER BY ${primary}${def.order} LIMIT 1)`;
}
