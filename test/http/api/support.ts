/** Helpers of the Organizations API tests: API clients and their bearer tokens. */
import request from 'supertest';
import type { TestContext } from '../../support/app.js';
import type { Actor } from '../../../src/types.js';

export async function apiClient(ctx: TestContext, actor: Actor, orgSid: string, role: 'admin' | 'read-only' = 'admin') {
  return ctx.services.apiClients.create(actor, orgSid, { role, name: `test ${role}` });
}

/** POST /v1/token with form fields; returns the access token. */
export async function tokenFor(ctx: TestContext, client: { clientId: string; clientSecret: string }): Promise<string> {
  const res = await request(ctx.app).post('/v1/token').type('form')
    .send({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret });
  expect(res.status).toBe(200);
  return (res.body as { access_token: string }).access_token;
}
