import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app.js';

let ctx: TestContext;
beforeAll(async () => { ctx = await createTestContext(); });
afterAll(async () => { await ctx.close(); });

describe('health', () => {
  it('answers 200 on /healthz and /readyz once the database is migrated', async () => {
    await request(ctx.app).get('/healthz').expect(200, { status: 'ok' });
    await request(ctx.app).get('/readyz').expect(200);
  });

  it('answers unknown paths with a JSON 404 that carries the request id', async () => {
    const res = await request(ctx.app).get('/nope').set('X-Request-Id', 'req-12345678').expect(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: 'No such endpoint.', requestId: 'req-12345678' } });
  });
});
