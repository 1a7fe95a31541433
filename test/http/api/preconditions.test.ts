/**
 * Idempotency-Key and If-Match on the account routes (issue 10): the same key and body return
 * the first result without a second change; another body under the same key is 422; a stale
 * ETag is 412; keys are stored in the database, so a second instance replays the same result.
 */
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { addAccount, createOrgWithOwner, type OrgWithOwner } from '../../support/fixtures.js';
import { DomainError } from '../../../src/errors.js';
import { apiClient, tokenFor } from './support.js';

let ctx: TestContext;
let other: TestContext;
let a: OrgWithOwner;
let auth: { Authorization: string };

beforeAll(async () => {
  ctx = await createTestContext();
  other = await createTestContext({ testDb: ctx.testDb });
  a = await createOrgWithOwner(ctx, { ownerEmail: 'owner@idem.example' });
  auth = { Authorization: `Bearer ${await tokenFor(ctx, await apiClient(ctx, a.ownerActor, a.org.sid, 'admin'))}` };
});
afterAll(async () => { await other.close(); await ctx.close(); });

const countAccounts = async () => (await ctx.services.accounts.list(a.ownerActor, a.org.sid)).length;

describe('Idempotency-Key', () => {
  it('the same key and body create one account, on any instance, and replay the first response', async () => {
    const before = await countAccounts();
    const body = { friendlyName: 'Once', ownerSid: a.owner.sid };
    const first = await request(ctx.app).post(`/Organizations/${a.org.sid}/Accounts`).set(auth).set('Idempotency-Key', 'k-1').send(body).expect(201);
    const again = await request(other.app).post(`/Organizations/${a.org.sid}/Accounts`).set(auth).set('Idempotency-Key', 'k-1').send(body).expect(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await countAccounts()).toBe(before + 1);
  });

  it('the same key with another body is 422 idempotency_key_reused, and changes nothing', async () => {
    await request(ctx.app).post(`/Organizations/${a.org.sid}/Accounts`).set(auth).set('Idempotency-Key', 'k-2').send({ friendlyName: 'First', ownerSid: a.owner.sid }).expect(201);
    const before = await countAccounts();
    const res = await request(ctx.app).post(`/Organizations/${a.org.sid}/Accounts`).set(auth).set('Idempotency-Key', 'k-2').send({ friendlyName: 'Second', ownerSid: a.owner.sid }).expect(422);
    expect(res.body).toMatchObject({ code: 'idempotency_key_reused', status: 422 });
    expect(await countAccounts()).toBe(before);
  });

  it('a failed request frees its key for a corrected retry', async () => {
    await request(ctx.app).post(`/Organizations/${a.org.sid}/Accounts`).set(auth).set('Idempotency-Key', 'k-3').send({ friendlyName: 'No owner' }).expect((res) => expect(res.status).toBeGreaterThanOrEqual(400));
    await request(ctx.app).post(`/Organizations/${a.org.sid}/Accounts`).set(auth).set('Idempotency-Key', 'k-3').send({ friendlyName: 'No owner', ownerSid: a.owner.sid }).expect(201);
  });
});

describe('If-Match', () => {
  it('a stale ETag is 412 and changes nothing; the current one applies the change', async () => {
    const account = await addAccount(ctx, { orgSid: a.org.sid, ownerSid: a.owner.sid, name: 'Guarded' });
    const url = `/Organizations/${a.org.sid}/Accounts/${account.sid}`;
    const read = await request(ctx.app).get(url).set(auth).expect(200);
    const etag = read.headers.etag as string;
    const suspended = await request(ctx.app).post(url).set(auth).set('If-Match', etag).send({ status: 'suspended' }).expect(200);
    expect(suspended.body.status).toBe('suspended');
    const stale = await request(ctx.app).post(url).set(auth).set('If-Match', etag).send({ status: 'closed' }).expect(412);
    expect(stale.body).toMatchObject({ code: 'precondition_failed', status: 412 });
    expect((await request(ctx.app).get(url).set(auth).expect(200)).body.status).toBe('suspended');
    await request(ctx.app).post(url).set(auth).set('If-Match', suspended.headers.etag as string).send({ status: 'active' }).expect(200);
  });

  it('the precondition is checked again under the account row lock: a refusal there changes nothing', async () => {
    const account = await addAccount(ctx, { orgSid: a.org.sid, ownerSid: a.owner.sid, name: 'Locked' });
    const seen: string[] = [];
    const refuse = (locked: { status: string }) => { seen.push(locked.status); throw new DomainError('precondition_failed', 'changed meanwhile', { details: { httpStatus: 412 } }); };
    await expect(ctx.services.accounts.suspend(a.ownerActor, account.sid, refuse)).rejects.toMatchObject({ code: 'precondition_failed' });
    expect(seen).toEqual(['active']);
    expect((await ctx.services.accounts.get(a.ownerActor, account.sid)).status).toBe('active');
  });

  it('R-O3: a read-only client cannot update an account', async () => {
    const account = await addAccount(ctx, { orgSid: a.org.sid, ownerSid: a.owner.sid, name: 'Read only' });
    const ro = { Authorization: `Bearer ${await tokenFor(ctx, await apiClient(ctx, a.ownerActor, a.org.sid, 'read-only'))}` };
    await request(ctx.app).post(`/Organizations/${a.org.sid}/Accounts/${account.sid}`).set(ro).send({ status: 'suspended' }).expect(403);
  });
});
