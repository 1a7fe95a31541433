/** Helpers of the sign-in page tests: users with passwords and a browser that signs in. */
import request from 'supertest';
import { newSid } from '../../../src/ids.js';
import { hashPassword } from '../../../src/security/passwords.js';
import { totpCode } from '../../../src/services/totp.js';
import type { Member } from '../../../src/types.js';
import type { TestContext } from '../../support/app.js';

export type Agent = ReturnType<typeof request.agent>;
export const PASSWORD = 'correct horse battery staple';

let cachedHash: string | undefined;

/** A user with PASSWORD in `orgSid` (or in no organization). */
export async function userWithPassword(ctx: TestContext, email: string, orgSid: string | null, role: 'owner' | 'admin' | 'standard' = 'standard'): Promise<Member> {
  cachedHash ??= await hashPassword(PASSWORD);
  return ctx.store.transaction(async (repos) => {
    const sid = newSid('US');
    await repos.users.insert({ sid, email, passwordHash: cachedHash });
    if (orgSid) await repos.users.join(sid, orgSid, role);
    return (await repos.users.get(sid))!;
  });
}

export const csrfOf = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

/** Posts a sign-in form with the browser's CSRF token. */
export async function postForm(agent: Agent, path: string, fields: Record<string, string>) {
  const page = await agent.get('/login');
  return agent.post(path).type('form').send({ ...fields, _csrf: csrfOf(page.text) });
}

export const secretOf = (html: string): string => /<code id="totp-secret">([A-Z2-7]+)<\/code>/.exec(html)?.[1] ?? '';

/** Password then TOTP; enrols the factor on the first sign-in. Returns the TOTP secret in use. */
export async function signInWithPassword(ctx: TestContext, agent: Agent, email: string, secret?: string): Promise<{ secret: string }> {
  const res = await postForm(agent, '/login/password', { email, password: PASSWORD });
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/login/second-factor');
  const page = await agent.get('/login/second-factor').expect(200);
  const used = secretOf(page.text) || secret;
  if (!used) throw new Error('no TOTP secret known');
  const done = await postForm(agent, '/login/second-factor', { code: totpCode(used, ctx.clock.now()) });
  expect(done.status).toBe(303);
  return { secret: used };
}
