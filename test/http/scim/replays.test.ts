/**
 * Replays of what Okta and Microsoft Entra ID send (idp-fixtures/scim/<idp>/sequence.json): the
 * whole provisioning life of users and groups, every quirk included.
 */
import { readFileSync } from 'node:fs';
import { createTestContext, type TestContext } from '../../support/app.js';
import { createScimOrg, type ScimOrg } from '../../support/scim-fixtures.js';
import { ENTERPRISE_URN } from '../../support/scim-fixtures.js';

interface Step {
  readonly step: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly body?: string;
  readonly status: number;
  readonly save?: Record<string, string>;
  readonly expect?: unknown;
  /** Dotted paths that must be absent from the response. */
  readonly absent?: readonly string[];
}

const FIXTURES = new URL('../../../idp-fixtures/scim/', import.meta.url);
const read = (idp: string, file: string) => readFileSync(new URL(`${idp}/${file}`, FIXTURES), 'utf8');

function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_m, key: string) => {
    if (!(key in values)) throw new Error(`no value for {{${key}}}`);
    return values[key]!;
  });
}

function pick(value: unknown, path: string): unknown {
  // The enterprise URN contains dots: treat it as one key.
  const keys = path.startsWith(ENTERPRISE_URN) ? [ENTERPRISE_URN, ...path.slice(ENTERPRISE_URN.length + 1).split('.').filter(Boolean)] : path.split('.');
  return keys.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), value);
}

let ctx: TestContext;
beforeAll(async () => { ctx = await createTestContext(); });
afterAll(async () => { await ctx.close(); });

describe.each(['okta', 'entra'])('%s replay', (idp) => {
  let org: ScimOrg;
  const values: Record<string, string> = {};
  const steps = JSON.parse(read(idp, 'sequence.json')) as Step[];

  beforeAll(async () => {
    org = await createScimOrg(ctx, { domain: `${idp}-replay.example` });
    values.domain = org.domain;
  });

  it.each(steps.map((s, i) => [`${i + 1}. ${s.step}`, s] as const))('%s', async (_name, step) => {
    const path = fill(step.path, values);
    const body = step.body ? JSON.parse(fill(read(idp, step.body), values)) : undefined;
    const method = step.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    const res = method === 'get' || method === 'delete' ? await org.client[method](path) : await org.client[method](path, body);
    expect([step.step, res.status, res.status >= 400 ? res.body : undefined]).toEqual([step.step, step.status, res.status >= 400 ? expect.anything() : undefined]);
    expect(res.headers['content-type'] ?? 'application/scim+json').toMatch(/^application\/scim\+json/);
    if (step.expect) expect(res.body).toMatchObject(JSON.parse(fill(JSON.stringify(step.expect), values)));
    for (const absent of step.absent ?? []) expect([absent, pick(res.body, absent)]).toEqual([absent, undefined]);
    for (const [name, attr] of Object.entries(step.save ?? {})) values[name] = res.body[attr];
  });

  it('the audit log names the token for every change', async () => {
    const log = (await ctx.store.read.audit.list(org.org.sid, { limit: 1000 })).filter((e) => e.action !== 'scim.token_created');
    expect(log.length).toBeGreaterThan(5);
    expect(log.every((e) => e.actor === `scim:${org.tokenId}`)).toBe(true);
  });
});
