/**
 * Property-based robustness: whatever a client sends (filters, PATCH, POST, PUT and Bulk bodies,
 * garbage, huge or deeply nested input, odd content types, characters PostgreSQL cannot store),
 * the answer is never a 5xx, every error is a SCIM Error whose status matches the HTTP status,
 * and the service is healthy afterwards.
 */
import fc from 'fast-check';
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { createScimOrg, ERROR_URN, GROUP_URN, PATCH_URN, SCIM, USER_URN, userBody, type ScimOrg } from '../../support/scim-fixtures.js';

const RUNS = Number(process.env.SCIM_FUZZ_RUNS ?? 120);

let ctx: TestContext;
let org: ScimOrg;
let userId: string;
let groupId: string;

beforeAll(async () => {
  ctx = await createTestContext();
  org = await createScimOrg(ctx, { domain: 'fuzz.example' });
  userId = (await org.client.post('/Users', userBody('fuzz@fuzz.example')).expect(201)).body.id;
  groupId = (await org.client.post('/Groups', { schemas: [GROUP_URN], displayName: 'Fuzz', members: [{ value: userId }] }).expect(201)).body.id;
});
afterAll(async () => { await ctx.close(); });

/** Statuses seen, so that a test can check it exercised success and failure paths alike. */
const seen = new Set<number>();

/** The property every answer must have. */
function wellFormed(res: request.Response): void {
  seen.add(res.status);
  if (res.status >= 500) throw new Error(`${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
  expect(res.headers['content-type'] ?? 'application/scim+json').toMatch(/^application\/scim\+json/);
  if (res.status >= 400) {
    expect(res.body.schemas).toEqual([ERROR_URN]);
    expect(res.body.status).toBe(String(res.status));
  }
}

/** Percent-encodes anything, lone surrogates included (as U+FFFD), without throwing. */
const encode = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

const ATTRS = ['userName', 'UserName', 'displayName', 'externalId', 'title', 'active', 'emails', 'emails.value', 'emails.type', 'name.givenName',
  'meta.created', 'meta.lastModified', 'id', 'groups.value', 'members', 'members.value', `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`, 'nosuch', 'name'];
const OPS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'lt', 'ge', 'le', 'EQ', 'xx'];
const weird = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('\u0000', '\ud800', 'a\udfffb', '%', '_', '"', '\\', '*', '(', ']', "'; drop table users;--"));
const value = fc.oneof(
  fc.string({ maxLength: 20 }).map((s) => JSON.stringify(s)), weird.map((s) => JSON.stringify(s)), weird,
  fc.constantFrom('true', 'false', 'null', '42', '-1.5e3', '"2024-02-30T00:00:00Z"', '"2024-01-01T00:00:00Z"', 'fuzz@fuzz.example'),
);
const filterTree: fc.Arbitrary<string> = fc.letrec<{ f: string }>((tie) => ({
  f: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(fc.constantFrom(...ATTRS), fc.constantFrom(...OPS), value).map(([a, o, v]) => `${a} ${o} ${v}`),
    fc.constantFrom(...ATTRS).map((a) => `${a} pr`),
    fc.tuple(tie('f'), fc.constantFrom('and', 'or', 'AND', 'Or'), tie('f')).map(([l, op, r]) => `${l} ${op} ${r}`),
    tie('f').map((f) => `not (${f})`),
    tie('f').map((f) => `(${f})`),
    fc.tuple(fc.constantFrom('emails', 'members', 'groups', 'addresses', 'title'), tie('f')).map(([a, f]) => `${a}[${f}]`),
  ),
})).f;
const anyFilter = fc.oneof(filterTree, weird, fc.string({ maxLength: 200 }), fc.constant('('.repeat(500)), fc.constant(`userName eq "${'x'.repeat(5000)}"`));

const json = fc.jsonValue({ maxDepth: 6 });
const patchPath = fc.oneof(
  fc.constantFrom('active', 'title', 'displayName', 'name.givenName', 'name', 'emails', 'emails[type eq "work"].value', 'emails[type eq "work"]',
    'addresses[type eq "work"].formatted', 'members', 'members[value eq "x"]', `members[value eq "${'US' + '0'.repeat(32)}"]`, 'id', 'meta.created', 'groups',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
    'externalId', 'userName', 'nosuch', 'emails[', 'emails[type eq "work"].nosuch', ''),
  weird,
);
const operation = fc.record({
  op: fc.oneof(fc.constantFrom('add', 'remove', 'replace', 'Add', 'REPLACE', 'Remove', 'bogus'), json),
  path: fc.option(patchPath, { nil: undefined }),
  value: fc.option(fc.oneof(json, fc.constantFrom('False', 'True', '', null), fc.array(fc.record({ value: fc.oneof(fc.constant('USER'), weird), $ref: fc.constant(null) }), { maxLength: 3 })), { nil: undefined }),
}, { requiredKeys: ['op'] });
const plausible = fc.oneof(
  fc.record({ op: fc.constantFrom('replace', 'Replace', 'add'), path: fc.constantFrom('title', 'displayName', 'name.familyName', 'active', 'externalId'), value: fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('True', 'False')) }),
  fc.record({ op: fc.constantFrom('replace', 'Add'), value: fc.record({ title: fc.string({ maxLength: 10 }), 'name.givenName': fc.string({ maxLength: 10 }) }) }),
  fc.record({ op: fc.constantFrom('add', 'remove', 'Remove'), path: fc.constant('members'), value: fc.constant([{ value: 'USER' }]) }),
);
const patchBody = fc.oneof(
  fc.array(operation, { minLength: 0, maxLength: 4 }).map((Operations) => ({ schemas: [PATCH_URN], Operations })),
  fc.array(plausible, { minLength: 1, maxLength: 3 }).map((Operations) => ({ schemas: [PATCH_URN], Operations })),
  json, fc.record({ schemas: json, Operations: json }),
);

const USER_KEYS = ['userName', 'externalId', 'active', 'displayName', 'name', 'emails', 'title', 'groups', 'password', 'meta', 'id', 'schemas', 'addresses',
  'phoneNumbers', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', 'members', 'nonsense'];
const resourceBody = fc.oneof(
  fc.dictionary(fc.constantFrom(...USER_KEYS), fc.oneof(json, weird), { maxKeys: 6 }),
  fc.dictionary(fc.constantFrom(...USER_KEYS), fc.oneof(json, weird), { maxKeys: 6 }).map((d) => ({ ...userBody(`p${Math.random().toString(36).slice(2)}@fuzz.example`), ...d })),
  json,
);

describe('SCIM robustness (fast-check)', () => {
  beforeEach(() => seen.clear());

  it('filters: no 5xx, errors are SCIM Errors', async () => {
    await fc.assert(fc.asyncProperty(anyFilter, fc.constantFrom('/Users', '/Groups'), async (filter, resource) => {
      wellFormed(await org.client.get(`${resource}?filter=${encode(filter)}`));
      wellFormed(await org.client.get(`${resource}?filter=${encode(filter)}&sortBy=${encode(filter.slice(0, 20))}&attributes=${encode(filter.slice(0, 30))}`));
      wellFormed(await org.client.post('/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter, startIndex: filter.length, count: 5 }));
    }), { numRuns: RUNS });
    expect([...seen].sort()).toEqual(expect.arrayContaining([200, 400]));
  });

  it('query strings: garbage startIndex, count, attributes and percent escapes', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('startIndex', 'count', 'filter', 'sortBy', 'sortOrder', 'attributes', 'excludedAttributes', 'x'), weird), { maxLength: 5 }),
      fc.constantFrom('%', '%E0%A4%A', '%ZZ', '&&', '=', ''), async (pairs, raw) => {
        const query = pairs.map(([k, v]) => `${k}=${encode(v)}`).join('&');
        wellFormed(await org.client.get(`/Users?${query}&${raw}`));
        wellFormed(await org.client.get(`/Groups/${groupId}?${query}`));
      }), { numRuns: RUNS });
  });

  it('PATCH bodies: no 5xx, errors are SCIM Errors', async () => {
    await fc.assert(fc.asyncProperty(patchBody, fc.constantFrom('Users', 'Groups'), async (body, resource) => {
      const filled = JSON.parse(JSON.stringify(body ?? null).replaceAll('"USER"', JSON.stringify(userId)));
      wellFormed(await org.client.patch(`/${resource}/${resource === 'Users' ? userId : groupId}`, filled));
    }), { numRuns: RUNS });
    expect([...seen].sort()).toEqual(expect.arrayContaining([400]));
    expect([...seen].some((s) => s === 200 || s === 204)).toBe(true);
  });

  it('POST and PUT bodies: no 5xx, errors are SCIM Errors', async () => {
    await fc.assert(fc.asyncProperty(resourceBody, fc.constantFrom('POST /Users', 'PUT /Users', 'POST /Groups', 'PUT /Groups'), async (body, target) => {
      const [method, resource] = target.split(' ') as ['POST' | 'PUT', string];
      const path = method === 'POST' ? resource : `${resource}/${resource === '/Users' ? userId : groupId}`;
      wellFormed(method === 'POST' ? await org.client.post(path, body) : await org.client.put(path, body));
    }), { numRuns: RUNS });
    expect([...seen].sort()).toEqual(expect.arrayContaining([400]));
    expect([...seen].some((s) => s === 200 || s === 201)).toBe(true);
  });

  it('Bulk bodies: no 5xx, errors are SCIM Errors, also inside the BulkResponse', async () => {
    const bulkOp = fc.record({
      method: fc.oneof(fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE', 'get'), json),
      path: fc.oneof(fc.constantFrom('/Users', '/Groups', `/Users/${userId}`, `/Groups/${groupId}`, '/Users/bulkId:a', '/Bulk', 'Users'), weird),
      bulkId: fc.option(fc.constantFrom('a', 'b', ''), { nil: undefined }),
      data: fc.oneof(resourceBody, patchBody),
    }, { requiredKeys: ['method', 'path'] });
    await fc.assert(fc.asyncProperty(fc.array(bulkOp, { maxLength: 4 }), fc.option(fc.oneof(fc.integer(), json), { nil: undefined }), async (Operations, failOnErrors) => {
      const res = await org.client.post('/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations, ...(failOnErrors !== undefined && { failOnErrors }) });
      wellFormed(res);
      for (const op of res.status === 200 ? res.body.Operations : []) {
        expect(Number(op.status)).toBeLessThan(500);
        if (Number(op.status) >= 400) expect(op.response).toMatchObject({ schemas: [ERROR_URN], status: op.status });
      }
    }), { numRuns: Math.ceil(RUNS / 2) });
  });

  it('odd content types, raw garbage, deep nesting, huge bodies and unstorable characters', async () => {
    const types = ['text/plain', 'application/xml', 'application/scim+json; charset=latin1', 'application/json; charset=utf-16', 'multipart/form-data', 'application/x-www-form-urlencoded', ''];
    await fc.assert(fc.asyncProperty(fc.constantFrom(...types), fc.oneof(fc.string({ maxLength: 200 }), json.map((j) => JSON.stringify(j))),
      fc.constantFrom('post', 'put', 'patch'), async (type, raw, method) => {
        const path = method === 'post' ? '/Users' : `/Users/${userId}`;
        const req = request(ctx.app)[method](SCIM + path).set('Authorization', `Bearer ${org.client.token}`);
        wellFormed(await (type ? req.set('Content-Type', type) : req).send(raw));
      }), { numRuns: RUNS });
    const specials: unknown[] = [
      '['.repeat(20_000), `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`, JSON.parse(`${'{"a":'.repeat(200)}1${'}'.repeat(200)}`),
      userBody('nul\u0000@fuzz.example'), userBody('lone\ud800@fuzz.example'), userBody('ok@fuzz.example', { displayName: 'x\u0000y' }),
      { ...userBody('key@fuzz.example'), 'bad\u0000key': 1 }, userBody('huge@fuzz.example', { title: 'x'.repeat(3_000_000) }),
      JSON.parse('{"userName":"proto@fuzz.example","__proto__":{"active":false},"name":{"__proto__":{"givenName":"x"}}}'),
      { schemas: [PATCH_URN], Operations: Array.from({ length: 5000 }, () => ({ op: 'add', path: 'title', value: 'x' })) },
    ];
    for (const body of specials) {
      for (const path of ['/Users', `/Users/${userId}`]) {
        const req = path === '/Users' ? org.client.post(path, undefined) : org.client.patch(path, undefined);
        wellFormed(await req.set('Content-Type', 'application/scim+json').send(typeof body === 'string' ? body : JSON.stringify(body)));
      }
    }
  });

  it('the service is healthy afterwards', async () => {
    await request(ctx.app).get('/healthz').expect(200);
    const created = await org.client.post('/Users', userBody('after-fuzz@fuzz.example')).expect(201);
    await org.client.get(`/Users?filter=${encodeURIComponent('userName eq "after-fuzz@fuzz.example"')}`).expect(200)
      .then((r) => expect(r.body.totalResults).toBe(1));
    const group = await org.client.post('/Groups', { schemas: [GROUP_URN], displayName: 'After Fuzz' }).expect(201);
    await org.client.patch(`/Groups/${group.body.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'add', path: 'members', value: [{ value: created.body.id }] }] }).expect(204);
  });
});

/**
 * sortBy, sortOrder, attributes and excludedAttributes generated from the whole schema as
 * /Schemas publishes it (Users with the enterprise extension, Groups, and the common attributes
 * id, externalId and meta), with and without URNs, in any case, on either resource type, and
 * garbage: never a 5xx; a path that names no single value is 400 invalidValue; when the answer
 * is 200 the resources are in the order RFC 7644 §3.4.2.3 gives (primary else first value of a
 * multi-valued attribute; case-insensitive unless case-exact, code point order; no value last
 * ascending, first descending), whatever the projection.
 */
describe('SCIM sorting and projection over the whole schema (fast-check)', () => {
  interface AttrDef {
    readonly name: string; readonly type: string; readonly multiValued: boolean; readonly caseExact?: boolean;
    readonly mutability?: string; readonly subAttributes?: readonly AttrDef[];
  }
  interface SchemaDoc { readonly id: string; readonly attributes: readonly AttrDef[] }
  type Doc = Record<string, unknown>;

  const attr = (name: string, type = 'string', caseExact = true, subAttributes?: AttrDef[]): AttrDef =>
    ({ name, type, multiValued: false, caseExact, ...(subAttributes && { subAttributes }) });
  // RFC 7643 §3.1: attributes of every resource, not listed in /Schemas.
  const COMMON: readonly AttrDef[] = [attr('id'), attr('externalId'), attr('meta', 'complex', false, [
    attr('resourceType'), attr('created', 'dateTime'), attr('lastModified', 'dateTime'), attr('location', 'reference'), attr('version'),
  ])];
  const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
  const RESOURCES = { '/Users': [USER_URN, ENTERPRISE], '/Groups': [GROUP_URN] } as const;

  let sortOrg: ScimOrg;
  let schemas: Map<string, SchemaDoc>;

  // A fixed data set with ties, case variants, missing values, several emails with and without a
  // primary, suspended users and groups with members: generated once from a fixed seed.
  const word = fc.constantFrom('alpha', 'Alpha', 'ALPHA', 'beta', 'Beta', 'a_b', 'a-b', 'ab', 'Zed', 'zed', 'é', 'éa', '10', '9', '');
  const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
  const multi = (withPrimary: boolean) => fc.array(fc.record({
    value: word, type: fc.constantFrom('work', 'home', 'other'), ...(withPrimary && { primary: fc.boolean() }), display: maybe(word),
  }, { requiredKeys: ['value', 'type'] }), { maxLength: 3 });
  const person = fc.record({
    displayName: maybe(word), title: maybe(word), nickName: maybe(word), locale: maybe(word), profileUrl: maybe(word.map((w) => `https://p.example/${w}`)),
    externalId: maybe(fc.constantFrom('X1', 'x1', 'ext-b', 'Ext-A')), active: fc.boolean(),
    name: fc.record({ givenName: maybe(word), familyName: maybe(word), formatted: maybe(word) }),
    extraEmails: fc.array(fc.record({ type: fc.constantFrom('work', 'home'), primary: fc.boolean() }), { maxLength: 2 }),
    phoneNumbers: multi(true), addresses: fc.array(fc.record({ country: word, locality: maybe(word), primary: fc.boolean() }), { maxLength: 2 }),
    x509Certificates: fc.array(fc.record({ value: fc.constantFrom('AbC', 'abd', 'ABD', 'abc') }), { maxLength: 2 }),
    enterprise: fc.record({ department: maybe(word), costCenter: maybe(word), manager: maybe(fc.record({ value: word, displayName: maybe(word) })) }),
  });
  const defined = (o: Doc): Doc => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

  beforeAll(async () => {
    sortOrg = await createScimOrg(ctx, { domain: 'sort-fuzz.example' });
    const docs = (await sortOrg.client.get('/Schemas').expect(200)).body.Resources as SchemaDoc[];
    schemas = new Map(docs.map((d) => [d.id.toLowerCase(), d]));
    const people = fc.sample(person, { seed: 7, numRuns: 12 });
    const ids: string[] = [sortOrg.owner.sid];
    for (const [i, p] of people.entries()) {
      const email = `${['Alpha', 'beta', 'zed', 'é'][i % 4]}.${i}@sort-fuzz.example`;
      const emails = [{ value: email, type: 'work', primary: p.extraEmails.length > 0 && i % 2 === 0 },
        ...p.extraEmails.map((e, j) => ({ value: `${['Zz', 'aa'][j]}.${i}@sort-fuzz.example`, ...e }))];
      const body = defined({
        schemas: [USER_URN, ENTERPRISE], userName: i % 3 === 2 ? `upn-${['B', 'a', 'C'][i % 3]}${i}` : email, emails,
        displayName: p.displayName, title: p.title, nickName: p.nickName, locale: p.locale, profileUrl: p.profileUrl, externalId: p.externalId,
        active: p.active, name: defined(p.name), phoneNumbers: p.phoneNumbers.map(defined), addresses: p.addresses.map(defined),
        x509Certificates: p.x509Certificates, [ENTERPRISE]: defined({ ...p.enterprise, manager: p.enterprise.manager && defined(p.enterprise.manager) }),
      });
      ids.push((await sortOrg.client.post('/Users', body).expect(201)).body.id);
    }
    for (const [i, name] of ['alpha team', 'Beta', 'zed crew', 'é group', 'empty'].entries()) {
      const members = name === 'empty' ? [] : ids.filter((_id, j) => (j + i) % (i + 2) === 0).map((value) => ({ value }));
      await sortOrg.client.post('/Groups', { schemas: [GROUP_URN], displayName: name, ...(i % 2 === 0 && { externalId: ['G1', 'g2', 'G3'][i / 2] }), members }).expect(201);
    }
  });

  const findAttr = (list: readonly AttrDef[] | undefined, name: string) => list?.find((a) => a.name.toLowerCase() === name.toLowerCase());

  /** Every path the schemas name (attribute and sub-attribute, each with and without its URN). */
  function schemaPaths(): string[] {
    const paths: string[] = [];
    for (const doc of schemas.values()) {
      const core = doc.id !== ENTERPRISE;
      for (const a of [...doc.attributes, ...(core ? COMMON : [])]) {
        for (const p of [a.name, ...(a.subAttributes ?? []).map((s) => `${a.name}.${s.name}`)]) paths.push(p, `${doc.id}:${p}`);
      }
    }
    return paths;
  }

  const recase = (s: string, how: number) => (how === 0 ? s : how === 1 ? s.toLowerCase() : how === 2 ? s.toUpperCase()
    : [...s].map((c, i) => (i % 2 ? c.toUpperCase() : c.toLowerCase())).join(''));
  const anyPath = () => fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...schemaPaths()), fc.integer({ min: 0, max: 3 })).map(([p, how]) => recase(p, how)) },
    { weight: 1, arbitrary: fc.constantFrom('nosuch', 'name.nosuch', 'emails.value.x', 'schemas', 'meta', ' ', 'urn:ietf:params:scim:schemas:core:2.0:User:',
      'emails[type eq "work"]', 'emails[type eq "work"].value', 'urn:x:y:z', ':', '.', 'a..b', '$ref') },
    { weight: 1, arbitrary: weird },
  );

  type Key = string | number | boolean | null;
  type Resolved = { kind: 'unknown' } | { kind: 'sortable'; supported: boolean; key: (doc: Doc) => Key };

  /** What a path means for a resource type: which value of a resource it sorts by, or nothing. */
  function resolve(resource: keyof typeof RESOURCES, path: string): Resolved {
    const unknown = { kind: 'unknown' } as const;
    const lower = path.trim().toLowerCase();
    const urns = [...schemas.keys(), USER_URN.toLowerCase(), GROUP_URN.toLowerCase()].sort((a, b) => b.length - a.length);
    const urn = urns.find((u) => lower.startsWith(`${u}:`));
    const mine = RESOURCES[resource].map((u) => u.toLowerCase());
    if (urn && !mine.includes(urn)) return unknown;
    const schemaId = urn ?? mine[0]!;
    const rest = urn ? path.trim().slice(urn.length + 1) : path.trim();
    const parts = rest.split('.');
    if (parts.length > 2 || parts.some((p) => !/^[a-z$][\w$-]*$/i.test(p))) return unknown;
    const schema = schemas.get(schemaId)!;
    const core = schemaId !== ENTERPRISE.toLowerCase();
    const a = findAttr([...schema.attributes, ...(core ? COMMON : [])], parts[0]!);
    if (!a) return unknown;
    const sub = parts[1] === undefined ? undefined : findAttr(a.subAttributes, parts[1]);
    if (parts[1] !== undefined && !sub) return unknown;
    const leaf = a.multiValued ? sub ?? findAttr(a.subAttributes, 'value') : sub ?? (a.type === 'complex' ? undefined : a);
    if (!leaf) return unknown;
    const supported = !['$ref', 'location', 'version'].includes(leaf.name) && a.mutability !== 'writeOnly';
    const container = (doc: Doc): Doc | undefined => (core ? doc : doc[ENTERPRISE] as Doc | undefined);
    const get = (o: unknown, name: string): unknown => {
      if (!o || typeof o !== 'object') return undefined;
      const k = Object.keys(o).find((x) => x.toLowerCase() === name.toLowerCase());
      return k === undefined ? undefined : (o as Doc)[k];
    };
    const normal = (v: unknown): Key => {
      if (v === undefined || v === null) return null;
      if (leaf.type === 'boolean') return v === true;
      if (leaf.type === 'dateTime') return Date.parse(String(v));
      return leaf.caseExact ? String(v) : String(v).toLowerCase();
    };
    return {
      kind: 'sortable', supported,
      key: (doc) => {
        const value = get(container(doc), a.name);
        if (!a.multiValued) return normal(sub ? get(value, sub.name) : value);
        const list = Array.isArray(value) ? value as Doc[] : [];
        const chosen = list.find((e) => e.primary === true) ?? list[0];
        if (chosen === undefined) return null;
        // An element without "primary" is not primary (false, not absent).
        return leaf.name === 'primary' ? chosen.primary === true : normal(get(chosen, leaf.name));
      },
    };
  }

  const compare = (a: Key, b: Key): number => {
    if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
    return a < b ? -1 : a > b ? 1 : 0;
  };

  const FILTERS = { '/Users': ['', 'userName pr', 'active eq true', 'emails[type eq "work"]', 'title pr or displayName pr'], '/Groups': ['', 'displayName pr', 'members pr'] };
  const ORDERS = [undefined, 'ascending', 'descending', 'DESCENDING', 'Ascending'];
  const query = (params: Record<string, string | undefined>) =>
    Object.entries(params).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${k}=${encode(v!)}`).join('&');

  it('sortBy and sortOrder: never 5xx; unknown or complex paths are 400 invalidValue; 200s are in order', async () => {
    const statuses = new Set<number>();
    await fc.assert(fc.asyncProperty(fc.constantFrom('/Users', '/Groups' as const), anyPath(), fc.constantFrom(...ORDERS), fc.nat(4),
      async (resource, sortBy, sortOrder, f) => {
        const filters = FILTERS[resource];
        const res = await sortOrg.client.get(`${resource}?${query({ filter: filters[f % filters.length], sortBy, sortOrder })}`);
        wellFormed(res);
        statuses.add(res.status);
        const meaning = resolve(resource, sortBy);
        if (res.status !== 200) {
          expect([sortBy, res.status, res.body.scimType]).toEqual([sortBy, 400, 'invalidValue']);
          // A path that names one value of every resource, and that Orgward stores, is sorted by.
          expect([sortBy, meaning.kind === 'sortable' && meaning.supported]).toEqual([sortBy, false]);
          return;
        }
        if (sortBy.trim() === '') return;
        expect([sortBy, meaning.kind]).toEqual([sortBy, 'sortable']);
        if (meaning.kind !== 'sortable') return;
        const keys = (res.body.Resources as Doc[]).map(meaning.key);
        const descending = sortOrder?.toLowerCase() === 'descending';
        for (let i = 1; i < keys.length; i++) {
          const c = compare(keys[i - 1]!, keys[i]!);
          if (descending ? c < 0 : c > 0) throw new Error(`${resource} sortBy=${sortBy} ${sortOrder ?? ''}: ${JSON.stringify(keys)} is out of order at ${i}`);
        }
      }), { numRuns: RUNS });
    expect([...statuses].sort()).toEqual([200, 400]);
  });

  it('attributes and excludedAttributes with sorting: never 5xx; the projection keeps what was asked, drops what was excluded, and not the order', async () => {
    const list = fc.array(anyPath(), { maxLength: 3 }).map((l) => l.join(','));
    await fc.assert(fc.asyncProperty(fc.constantFrom('/Users', '/Groups' as const), fc.option(anyPath(), { nil: undefined }), fc.constantFrom(...ORDERS),
      fc.option(list, { nil: undefined }), fc.option(list, { nil: undefined }), async (resource, sortBy, sortOrder, attributes, excludedAttributes) => {
        const projected = await sortOrg.client.get(`${resource}?${query({ sortBy, sortOrder, attributes, excludedAttributes })}`);
        wellFormed(projected);
        const single = await sortOrg.client.get(`${resource}/${sortOrg.owner.sid}?${query({ attributes, excludedAttributes })}`);
        wellFormed(single);
        if (projected.status !== 200) return;
        const full = await sortOrg.client.get(`${resource}?${query({ sortBy, sortOrder })}`).expect(200);
        const ids = (r: request.Response) => (r.body.Resources as Doc[]).map((d) => d.id);
        expect(ids(projected)).toEqual(ids(full));
        const named = (csv: string | undefined) => (csv ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
        const asked = named(attributes);
        for (const doc of projected.body.Resources as Doc[]) {
          expect(doc.schemas).toBeDefined();
          expect(doc.id).toBeDefined();
          if (attributes && asked.length > 0) {
            for (const key of Object.keys(doc)) {
              if (key === 'schemas' || key === 'id' || key.startsWith('urn:')) continue;
              expect([key, asked.some((p) => p.toLowerCase().replace(/^urn:.*:/, '').split('.')[0] === key.toLowerCase())]).toEqual([key, true]);
            }
          } else {
            for (const p of named(excludedAttributes)) {
              const meaning = p.includes('.') || p.toLowerCase().startsWith('urn:') ? undefined : p.toLowerCase();
              if (meaning && meaning !== 'id' && meaning !== 'schemas') expect(Object.keys(doc).map((k) => k.toLowerCase())).not.toContain(meaning);
            }
          }
        }
      }), { numRuns: RUNS });
  });
});
