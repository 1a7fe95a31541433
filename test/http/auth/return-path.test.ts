// Coming back after sign-in: only our own link pages, never an open redirect.
import request from 'supertest';
import { safeReturnPath, signInThenReturn } from '../../../src/http/auth/return-path.js';
import { createTestContext, type TestContext } from '../../support/app.js';
import { signInWithPassword, userWithPassword } from './support.js';

let ctx: TestContext;

beforeAll(async () => { ctx = await createTestContext(); });
afterAll(async () => { await ctx.close(); });

describe('safeReturnPath', () => {
  it.each([
    '/merges/abcDEF_123-x', '/account-imports/abc', '/invitations/abc', '/signup/abc',
  ])('accepts our link page %s', (path) => {
    expect(safeReturnPath(path)).toBe(path);
  });

  it.each([
    'https://evil.example/merges/abc', '//evil.example/merges/abc', '/\\evil.example', '/merges/../admin', '/merges/abc?x=1',
    '/merges/abc#frag', '/api/v1/me', '/login', 'merges/abc', '/merges/', '/merges/a/b', '/merges/%2F%2Fevil', ' /merges/abc', undefined, 42, ['/merges/abc'],
  ])('refuses %p', (value) => {
    expect(safeReturnPath(value)).toBeUndefined();
  });

  it('builds the sign-in link with the path encoded', () => {
    expect(signInThenReturn('/merges/abc')).toBe('/login?next=%2Fmerges%2Fabc');
  });
});

describe('GET /login?next=', () => {
  it('comes back to a remembered link page once, after signing in', async () => {
    await userWithPassword(ctx, 'back@return.test', null);
    const agent = request.agent(ctx.app);
    await agent.get('/login?next=%2Fmerges%2Fsome-token').expect(200);
    await signInWithPassword(ctx, agent, 'back@return.test');
    const back = await agent.get('/login').expect(303);
    expect(back.headers.location).toBe('/merges/some-token');
    // Once: the next visit shows the signed-in page.
    expect((await agent.get('/login')).status).toBe(200);
  });

  it('never redirects to another origin or page', async () => {
    await userWithPassword(ctx, 'stay@return.test', null);
    const agent = request.agent(ctx.app);
    await signInWithPassword(ctx, agent, 'stay@return.test');
    for (const next of ['https://evil.example/', '//evil.example/merges/x', '/\\evil.example', '/api/v1/me', '/merges/../../x']) {
      const res = await agent.get(`/login?next=${encodeURIComponent(next)}`);
      expect(res.status).toBe(200);
      expect(res.headers.location).toBeUndefined();
    }
    const signedOut = request.agent(ctx.app);
    const page = await signedOut.get(`/login?next=${encodeURIComponent('https://evil.example/')}`).expect(200);
    expect(String(page.headers['set-cookie'] ?? '')).not.toContain('orgward_return');
  });
});
