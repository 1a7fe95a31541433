/** Helpers of the Admin Center tests: a signed-in browser as a cookie header, and forms with its CSRF token. */
import request from 'supertest';
import type { TestContext } from '../../support/app.js';

/** A fixed CSRF token (double submit: the cookie and the form field must match). */
export const CSRF = 'A'.repeat(43);

/** The Cookie header of a browser signed in as `userSid` (a real session issued by the session service). */
export async function sessionCookie(ctx: TestContext, userSid: string): Promise<string> {
  const session = await ctx.store.transaction((repos) => ctx.services.sessions.issue(repos, { userSid, method: 'password', passwordChangedAt: null }));
  return `orgward_session=${session.token}; orgward_csrf=${CSRF}`;
}

export const get = (ctx: TestContext, cookie: string, path: string) => request(ctx.app).get(path).set('Cookie', cookie);

/** A form post with the browser's CSRF token (unless `fields._csrf` says otherwise). */
export const post = (ctx: TestContext, cookie: string, path: string, fields: Record<string, string> = {}) =>
  request(ctx.app).post(path).set('Cookie', cookie).type('form').send({ _csrf: CSRF, ...fields });
