/**
 * PATCH (RFC 7644 §3.5.2) applied to a resource document of canonical attribute names, using the
 * schema metadata SCIMMY declares. Used for Users (small documents); group membership is never
 * patched in memory (see group-resource.ts).
 *
 * Why not SCIMMY's PatchOp.apply: it patches whole resource instances (loading a group's members),
 * and answers `noTarget` where Entra expects `Add`/`Replace` on `emails[type eq "work"].value` to
 * create the element. Beyond the RFC: a value path whose filter is a conjunction of `eq` terms and
 * matches nothing creates the element from those terms (Entra), for add and replace alike.
 */
import { DomainError } from '../../errors.js';
import type { ScimFilter } from '../../services/scim-users.js';
import { ScimError } from './errors.js';
import { parsePatchPath } from './filter.js';
import { PATCH_URN, type AttrMeta, type ResourceMeta, type SchemaMeta } from './schemas.js';

export interface PatchOperation {
  readonly op: 'add' | 'remove' | 'replace';
  readonly path?: string;
  readonly value?: unknown;
}

type Doc = Record<string, unknown>;
const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
const MAX_OPERATIONS = 1000;

/** Validates a PatchOp message (schemas, Operations, op, path). */
export function parsePatchBody(body: unknown): PatchOperation[] {
  if (!isObject(body)) throw new ScimError(400, 'invalidSyntax', 'A PATCH body is a PatchOp message (a JSON object).');
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === PATCH_URN.toLowerCase())) {
    throw new ScimError(400, 'invalidSyntax', `A PATCH body must have schemas ["${PATCH_URN}"].`);
  }
  const ops = body.Operations;
  if (!Array.isArray(ops) || ops.length === 0) throw new ScimError(400, 'invalidValue', 'A PatchOp needs at least one operation in "Operations".');
  if (ops.length > MAX_OPERATIONS) throw new ScimError(400, 'tooMany', `A PatchOp has at most ${MAX_OPERATIONS} operations.`);
  return ops.map((op, i) => {
    const n = i + 1;
    if (!isObject(op)) throw new ScimError(400, 'invalidValue', `Operation ${n} is not an object.`);
    const verb = typeof op.op === 'string' ? op.op.toLowerCase() : '';
    if (verb !== 'add' && verb !== 'remove' && verb !== 'replace') throw new ScimError(400, 'invalidSyntax', `Operation ${n}: "op" is add, remove or replace.`);
    if (op.path !== undefined && typeof op.path !== 'string') throw new ScimError(400, 'invalidPath', `Operation ${n}: "path" is a string.`);
    if (verb === 'remove' && op.path === undefined) throw new ScimError(400, 'noTarget', `Operation ${n}: remove needs a "path".`);
    if (verb !== 'remove' && op.value === undefined) throw new ScimError(400, 'invalidValue', `Operation ${n}: ${verb} needs a "value".`);
    return { op: verb, ...(op.path !== undefined && { path: op.path as string }), ...(op.value !== undefined && { value: op.value }) };
  });
}

const noTarget = (path: string) => new DomainError('scim_no_target', `No value matches "${path.slice(0, 200)}".`);
const invalidPath = (path: string) => new DomainError('scim_invalid_path', `"${path.slice(0, 200)}" is not an attribute of this resource.`);
const readOnly = (name: string) => new DomainError('scim_read_only', `"${name}" is read-only.`);

const lower = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v);
// Only strings and numbers are ordered; anything a client put in an element is compared safely.
const ordered = (v: unknown): boolean => typeof v === 'string' || typeof v === 'number';

/** In-memory match of one element of a multi-valued attribute (these arrays are small). */
function matches(filter: ScimFilter, element: Doc, attr: AttrMeta, path: string): boolean {
  switch (filter.kind) {
    case 'and': return matches(filter.left, element, attr, path) && matches(filter.right, element, attr, path);
    case 'or': return matches(filter.left, element, attr, path) || matches(filter.right, element, attr, path);
    case 'not': return !matches(filter.filter, element, attr, path);
    case 'has': throw invalidPath(path);
    case 'present':
    case 'compare': {
      const meta = filter.path.sub === null && filter.path.schema === null ? attr.sub.get(filter.path.attr) : undefined;
      if (!meta) throw invalidPath(path);
      const actual = element[meta.name];
      if (filter.kind === 'present') return actual !== undefined && actual !== null && actual !== '';
      let expected: unknown = filter.value;
      if (meta.type === 'boolean' && typeof expected === 'string') expected = expected.toLowerCase() === 'true';
      const [a, b] = meta.caseExact || meta.type !== 'string' ? [actual, expected] : [lower(actual), lower(expected)];
      switch (filter.op) {
        case 'eq': return a === b || (b === null && a === undefined);
        case 'ne': return !(a === b || (b === null && a === undefined));
        case 'co': return typeof a === 'string' && a.includes(String(b));
        case 'sw': return typeof a === 'string' && a.startsWith(String(b));
        case 'ew': return typeof a === 'string' && a.endsWith(String(b));
        case 'gt': return ordered(a) && String(a) > String(b);
        case 'lt': return ordered(a) && String(a) < String(b);
        case 'ge': return ordered(a) && String(a) >= String(b);
        case 'le': return ordered(a) && String(a) <= String(b);
      }
    }
  }
}

/** The element a filter of `eq` terms describes (`type eq "work"` → {type: "work"}), or undefined. */
function elementFrom(filter: ScimFilter, attr: AttrMeta): Doc | undefined {
  if (filter.kind === 'and') {
    const left = elementFrom(filter.left, attr);
    const right = elementFrom(filter.right, attr);
    return left && right ? { ...left, ...right } : undefined;
  }
  if (filter.kind !== 'compare' || filter.op !== 'eq' || filter.path.sub !== null || filter.value === null) return undefined;
  const meta = attr.sub.get(filter.path.attr);
  if (!meta) return undefined;
  return { [meta.name]: meta.type === 'boolean' ? filter.value === true || String(filter.value).toLowerCase() === 'true' : filter.value };
}

const equal = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** RFC 7643 §2.4: at most one primary value; the one just written wins. */
function keepOnePrimary(list: Doc[], touched: Doc[]): void {
  if (!touched.some((e) => e.primary === true)) return;
  for (const e of list) if (!touched.includes(e) && e.primary === true) e.primary = false;
}

function cleanUp(container: Doc, key: string): void {
  const v = container[key];
  if ((Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0) || v === undefined || v === null) delete container[key];
}

class Patcher {
  constructor(private readonly doc: Doc, private readonly meta: ResourceMeta, private readonly id: string) {}

  apply(op: PatchOperation): void {
    if (op.path === undefined) {
      if (!isObject(op.value)) throw new ScimError(400, 'invalidValue', `Without a path, the value of "${op.op}" is an object of attributes.`);
      for (const [key, value] of Object.entries(op.value)) {
        if (key.toLowerCase() === 'schemas') continue;
        this.applyPath(op.op, key, value);
      }
      return;
    }
    this.applyPath(op.op, op.path, op.value);
  }

  private schemaOf(urn: string | null, path: string): { schema: SchemaMeta; container: Doc | undefined; ext: string | null } {
    if (urn === null || urn === this.meta.core.urn.toLowerCase()) return { schema: this.meta.core, container: this.doc, ext: null };
    const schema = this.meta.extensions.get(urn);
    if (!schema) throw invalidPath(path);
    return { schema, container: this.doc[schema.urn] as Doc | undefined, ext: schema.urn };
  }

  private applyPath(verb: PatchOperation['op'], path: string, value: unknown): void {
    const parsed = parsePatchPath(path);
    if (parsed.schemaOnly !== null) {
      const { schema } = this.schemaOf(parsed.schemaOnly, path);
      if (verb === 'remove') { delete this.doc[schema.urn]; return; }
      if (!isObject(value)) throw new ScimError(400, 'invalidValue', `The value for "${path}" is an object.`);
      for (const [key, v] of Object.entries(value)) this.applyPath(verb, `${schema.urn}:${key}`, v);
      return;
    }
    const p = parsed.path!;
    const { schema, ext } = this.schemaOf(p.schema, path);
    const attr = schema.attrs.get(p.attr);
    if (!attr || attr.name === 'schemas') throw invalidPath(path);
    const subName = parsed.subAfterFilter ?? p.sub;
    const sub = subName === null ? null : attr.sub.get(subName);
    if (subName !== null && !sub) throw invalidPath(path);
    if (attr.name === 'id' && verb !== 'remove' && value === this.id) return; // Okta repeats the id
    if (attr.readOnly || sub?.readOnly) throw readOnly(attr.name + (sub ? `.${sub.name}` : ''));
    if (verb !== 'remove' && value === null) return;
    let container = ext === null ? this.doc : this.doc[ext] as Doc | undefined;
    if (!container) {
      if (verb === 'remove') return;
      container = this.doc[ext!] = {};
    }
    if (parsed.filter !== null) this.withFilter(verb, path, container, attr, parsed.filter, sub, value);
    else if (sub) this.onSub(verb, container, attr, sub, value);
    else this.onAttr(verb, container, attr, value);
    cleanUp(container, attr.name);
    if (ext !== null) cleanUp(this.doc, ext);
  }

  private onAttr(verb: PatchOperation['op'], container: Doc, attr: AttrMeta, value: unknown): void {
    const key = attr.name;
    if (verb === 'remove') {
      if (attr.multiValued && value !== undefined && Array.isArray(container[key])) {
        const drop = (Array.isArray(value) ? value : [value]) as unknown[];
        container[key] = (container[key] as unknown[]).filter((e) => !drop.some((d) => equal(d, e) || (isObject(d) && isObject(e) && d.value !== undefined && d.value === e.value)));
      } else delete container[key];
      return;
    }
    if (attr.multiValued) {
      const values = (Array.isArray(value) ? value : [value]).map((v) => (isObject(v) ? { ...v } : v));
      const list = verb === 'replace' || !Array.isArray(container[key]) ? [] : [...container[key] as unknown[]];
      for (const v of values) if (!list.some((e) => equal(e, v))) list.push(v);
      container[key] = list;
      keepOnePrimary(list.filter(isObject), values.filter(isObject));
    } else if (attr.type === 'complex') {
      if (!isObject(value)) throw new ScimError(400, 'invalidValue', `The value for "${key}" is an object.`);
      container[key] = { ...(isObject(container[key]) ? container[key] as Doc : {}), ...value };
    } else container[key] = value;
  }

  private onSub(verb: PatchOperation['op'], container: Doc, attr: AttrMeta, sub: AttrMeta, value: unknown): void {
    const targets: Doc[] = attr.multiValued
      ? (Array.isArray(container[attr.name]) ? (container[attr.name] as unknown[]).filter(isObject) : [])
      : [isObject(container[attr.name]) ? container[attr.name] as Doc : (container[attr.name] = {}) as Doc];
    for (const t of targets) {
      if (verb === 'remove') delete t[sub.name];
      else t[sub.name] = value;
    }
    if (!attr.multiValued && targets[0]) cleanUp(container, attr.name);
  }

  private withFilter(verb: PatchOperation['op'], path: string, container: Doc, attr: AttrMeta, filter: ScimFilter, sub: AttrMeta | null | undefined, value: unknown): void {
    if (!attr.multiValued) throw invalidPath(path);
    const list = (Array.isArray(container[attr.name]) ? container[attr.name] as unknown[] : []).map((e) => (isObject(e) ? e : { value: e }));
    const hit = list.filter((e) => matches(filter, e, attr, path));
    if (verb === 'remove') {
      container[attr.name] = sub ? list.map((e) => { if (hit.includes(e)) delete e[sub.name]; return e; }) : list.filter((e) => !hit.includes(e));
      return;
    }
    const patch: Doc = sub ? { [sub.name]: value } : isObject(value) ? value : {};
    if (!sub && !isObject(value)) throw new ScimError(400, 'invalidValue', `The value for "${path.slice(0, 200)}" is an object.`);
    if (hit.length === 0) {
      // Entra: Add/Replace on emails[type eq "work"].value when there is no work email yet creates it.
      const created = elementFrom(filter, attr);
      if (!created) throw noTarget(path);
      const element = { ...created, ...patch };
      list.push(element);
      container[attr.name] = list;
      keepOnePrimary(list, [element]);
      return;
    }
    for (const e of hit) {
      if (verb === 'replace' && !sub) { for (const k of Object.keys(e)) delete e[k]; }
      Object.assign(e, patch);
    }
    container[attr.name] = list;
    keepOnePrimary(list, hit);
  }
}

/** Applies the operations in order to a copy of `doc`; throws a SCIM error on the first bad one. */
export function applyPatch(doc: Doc, ops: readonly PatchOperation[], meta: ResourceMeta, id: string): Doc {
  const copy = structuredClone(doc);
  const patcher = new Patcher(copy, meta, id);
  for (const op of ops) patcher.apply(op);
  return copy;
}
