/**
 * Property-based robustness: whatever a client sends (filters, PATCH, POST, PUT and Bulk bodies,
 * garbage, huge or deeply nested input, odd content types, characters PostgreSQL cannot store),
 * the answer is never a 5xx, every error is a SCIM Error whose status matches the HTTP status,
 * and the service is healthy afterwards.
 */
import fc from 'fast-check';
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { createScimOrg, ERROR_URN, GROUP_URN, PATCH_URN, SCIM, userBody, type ScimOrg } from '../../support/scim-fixtures.js';

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
