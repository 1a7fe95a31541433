/**
 * SCIM filter and attribute-path syntax (RFC 7644 §3.4.2.2, §3.5.2 PATH) parsed into the tree
 * the store compiles to SQL.
 *
 * Why not SCIMMY's Filter: it expands filters to disjunctive normal form (exponential in the
 * number of grouped `or`s), rewrites `not (a or b)` as `not a or not b` (wrong), and rejects
 * nested groups, escaped quotes and the unquoted values Okta and Entra send (`userName eq
 * bob@corp.com`). This is a small recursive-descent parser with bounded length and depth.
 * Attribute names are case-insensitive (`DisplayName eq` works); keywords too.
 */
import { DomainError, type ErrorCode } from '../../errors.js';
import type { ScimAttrPath, ScimComparator, ScimFilter, ScimFilterValue } from '../../services/scim-users.js';

const MAX_LENGTH = 4096;
const MAX_DEPTH = 32;
const COMPARATORS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'lt', 'ge', 'le']);
const NAME = /^[a-z$][\w$-]*$/i;

/** Schemas whose URN may prefix an attribute (lower-cased); the longest match wins. */
const KNOWN_SCHEMAS = [
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user',
  'urn:ietf:params:scim:schemas:core:2.0:user',
  'urn:ietf:params:scim:schemas:core:2.0:group',
];

type Token = { kind: 'word' | 'string' | 'punct'; text: string; at: number };

function fail(code: ErrorCode, message: string): never {
  throw new DomainError(code, message);
}

function tokenize(text: string, code: ErrorCode): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if ('()[]'.includes(c)) { tokens.push({ kind: 'punct', text: c, at: i }); i++; continue; }
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) fail(code, `Unterminated string at position ${i + 1}.`);
      let value: string;
      try { value = JSON.parse(text.slice(i, j + 1)) as string; } catch { fail(code, `Malformed string at position ${i + 1}.`); }
      tokens.push({ kind: 'string', text: value, at: i });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < text.length && !/[\s()[\]"]/.test(text[j]!)) j++;
    tokens.push({ kind: 'word', text: text.slice(i, j), at: i });
    i = j;
  }
  return tokens;
}

/** Splits `urn:...:User:name.givenName` into schema, attribute and sub-attribute. */
export function toAttrPath(word: string, code: ErrorCode = 'scim_invalid_filter'): ScimAttrPath {
  let schema: string | null = null;
  let rest = word;
  if (/^urn:/i.test(word)) {
    const lower = word.toLowerCase();
    const known = KNOWN_SCHEMAS.find((s) => lower.startsWith(`${s}:`));
    const cut = known ? known.length : word.lastIndexOf(':');
    schema = lower.slice(0, cut);
    rest = word.slice(cut + 1);
  }
  const parts = rest.split('.');
  if (parts.length > 2 || !parts.every((p) => NAME.test(p))) fail(code, `"${word.slice(0, 200)}" is not an attribute path.`);
  return { schema, attr: parts[0]!.toLowerCase(), sub: parts[1]?.toLowerCase() ?? null };
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[], private readonly code: ErrorCode) {}

  done(): boolean { return this.i >= this.tokens.length; }
  peek(): Token | undefined { return this.tokens[this.i]; }
  next(what: string): Token {
    const t = this.tokens[this.i++];
    if (!t) fail(this.code, `The filter ends where ${what} was expected.`);
    return t;
  }
  isWord(word: string): boolean {
    const t = this.peek();
    return t?.kind === 'word' && t.text.toLowerCase() === word;
  }
  expect(punct: string): void {
    const t = this.next(`"${punct}"`);
    if (t.kind !== 'punct' || t.text !== punct) fail(this.code, `"${punct}" expected at position ${t.at + 1}.`);
  }

  or(depth: number, inValue: boolean): ScimFilter {
    let left = this.and(depth, inValue);
    while (this.isWord('or')) { this.i++; left = { kind: 'or', left, right: this.and(depth, inValue) }; }
    return left;
  }

  and(depth: number, inValue: boolean): ScimFilter {
    let left = this.unary(depth, inValue);
    while (this.isWord('and')) { this.i++; left = { kind: 'and', left, right: this.unary(depth, inValue) }; }
    return left;
  }

  unary(depth: number, inValue: boolean): ScimFilter {
    if (depth > MAX_DEPTH) fail(this.code, 'The filter is nested too deeply.');
    if (this.isWord('not')) { this.i++; return { kind: 'not', filter: this.unary(depth + 1, inValue) }; }
    const t = this.peek();
    if (t?.kind === 'punct' && t.text === '(') {
      this.i++;
      const inner = this.or(depth + 1, inValue);
      this.expect(')');
      return inner;
    }
    return this.attrExpression(depth, inValue);
  }

  attrExpression(depth: number, inValue: boolean): ScimFilter {
    const t = this.next('an attribute');
    if (t.kind !== 'word') fail(this.code, `An attribute name was expected at position ${t.at + 1}.`);
    const path = toAttrPath(t.text, this.code);
    const open = this.peek();
    if (open?.kind === 'punct' && open.text === '[') {
      if (inValue || path.sub !== null) fail(this.code, `Value filters cannot be nested ("${t.text}[").`);
      this.i++;
      const inner = this.or(depth + 1, true);
      this.expect(']');
      const after = this.peek();
      // emails[type eq "work"].value eq "x": the comparison is about the same element.
      if (after?.kind === 'word' && after.text.startsWith('.')) {
        this.i++;
        const sub = toAttrPath(after.text.slice(1), this.code);
        if (sub.schema !== null || sub.sub !== null) fail(this.code, `"${after.text}" is not a sub-attribute.`);
        return { kind: 'has', path, filter: { kind: 'and', left: inner, right: this.comparison(sub) } };
      }
      return { kind: 'has', path, filter: inner };
    }
    return this.comparison(path);
  }

  comparison(path: ScimAttrPath): ScimFilter {
    const op = this.next('an operator');
    const name = op.text.toLowerCase();
    if (op.kind === 'word' && name === 'pr') return { kind: 'present', path };
    if (op.kind !== 'word' || !COMPARATORS.has(name)) fail(this.code, `"${op.text.slice(0, 50)}" is not a filter operator (eq ne co sw ew gt lt ge le pr).`);
    const v = this.next('a value');
    if (v.kind === 'punct') fail(this.code, `A value was expected at position ${v.at + 1}.`);
    return { kind: 'compare', path, op: name as ScimComparator, value: v.kind === 'string' ? v.text : literal(v.text) };
  }
}

/** Unquoted values: true, false and null are keywords; anything else (numbers too) is kept as written. */
function literal(word: string): ScimFilterValue {
  const lower = word.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : lower === 'null' ? null : word;
}

/** Parses a filter (`filter` query parameter or SearchRequest). */
export function parseFilter(text: string): ScimFilter {
  if (text.length > MAX_LENGTH) fail('scim_invalid_filter', `A filter has at most ${MAX_LENGTH} characters.`);
  const parser = new Parser(tokenize(text, 'scim_invalid_filter'), 'scim_invalid_filter');
  if (parser.done()) fail('scim_invalid_filter', 'The filter is empty.');
  const filter = parser.or(0, false);
  const rest = parser.peek();
  if (rest) fail('scim_invalid_filter', `Unexpected "${rest.text.slice(0, 50)}" at position ${rest.at + 1}.`);
  return filter;
}

/** A PATCH operation path (RFC 7644 §3.5.2): `attr`, `attr.sub`, `attr[filter]`, `attr[filter].sub`, URN-prefixed or a schema URN alone. */
export interface PatchPath {
  readonly path: ScimAttrPath | null;
  /** The schema URN (lower-cased) when the path is an extension itself. */
  readonly schemaOnly: string | null;
  readonly filter: ScimFilter | null;
  /** The sub-attribute after a value filter (`emails[type eq "work"].value`). */
  readonly subAfterFilter: string | null;
}

export function parsePatchPath(text: string): PatchPath {
  const code: ErrorCode = 'scim_invalid_path';
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.length > MAX_LENGTH) fail(code, 'The PATCH path is empty or too long.');
  if (KNOWN_SCHEMAS.includes(trimmed.toLowerCase())) return { path: null, schemaOnly: trimmed.toLowerCase(), filter: null, subAfterFilter: null };
  const open = trimmed.indexOf('[');
  if (open < 0) return { path: toAttrPath(trimmed, code), schemaOnly: null, filter: null, subAfterFilter: null };
  const close = trimmed.lastIndexOf(']');
  if (close < open) fail(code, `"${trimmed.slice(0, 200)}" has an unclosed "[".`);
  const path = toAttrPath(trimmed.slice(0, open), code);
  if (path.sub !== null) fail(code, `"${trimmed.slice(0, 200)}": a value filter applies to a multi-valued attribute.`);
  const parser = new Parser(tokenize(trimmed.slice(open + 1, close), code), code);
  const filter = parser.or(1, true);
  if (!parser.done()) fail(code, `"${trimmed.slice(0, 200)}" is not a valid value filter.`);
  const after = trimmed.slice(close + 1);
  if (after !== '' && !/^\.[a-z$][\w$-]*$/i.test(after)) fail(code, `"${trimmed.slice(0, 200)}" is not a valid path.`);
  return { path, schemaOnly: null, filter, subAfterFilter: after === '' ? null : after.slice(1).toLowerCase() };
}
