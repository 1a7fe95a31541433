/**
 * Helpers of the tests of the pages behind mailed links: real mail through the loopback SMTP
 * server, the link parsed out of it, forms posted with the CSRF token of the page they are on.
 */
import { newSid } from '../../../src/ids.js';
import type { Member, Organization } from '../../../src/types.js';
import type { TestContext } from '../../support/app.js';
import type { ReceivedMail, TestSmtpServer } from '../../support/smtp-server.js';
import { csrfOf, signInWithPassword, userWithPassword, type Agent } from './support.js';

/** The path of the first link under `prefix` in `mail` (e.g. '/merges/'), parsed from the real message. */
export function linkIn(mail: ReceivedMail, prefix: string): string {
  for (const url of mail.links) {
    const path = new URL(url).pathname;
    if (path.startsWith(prefix)) return path;
  }
  throw new Error(`no ${prefix} link in the mail "${mail.subject}": ${mail.text}`);
}

/** Waits for the next mail to `recipient` and returns the path of its `prefix` link. */
export async function mailedLink(smtp: TestSmtpServer, recipient: string, prefix: string): Promise<{ mail: ReceivedMail; path: string }> {
  const mail = await smtp.waitFor(recipient);
  return { mail, path: linkIn(mail, prefix) };
}

/** Posts a form of `page` (its CSRF token) to `action`. */
export function submit(agent: Agent, action: string, page: { text: string }, fields: Record<string, string> = {}) {
  return agent.post(action).type('form').send({ ...fields, _csrf: csrfOf(page.text) });
}

/** An organization whose Owner has a password (so the Owner can sign in to answer a link). */
export async function orgOwnedBy(ctx: TestContext, ownerEmail: string, name: string): Promise<{ org: Organization; owner: Member }> {
  const org = await ctx.store.transaction((repos) => repos.organizations.insert({ sid: newSid('OR'), name }));
  const owner = await userWithPassword(ctx, ownerEmail, org.sid, 'owner');
  return { org, owner };
}

/**
 * Opens a link page while signed out, follows its "Sign in to continue" link, signs in with
 * password and TOTP, and comes back: returns the page shown after the return.
 */
export async function signInFromLink(ctx: TestContext, agent: Agent, path: string, email: string) {
  const first = await agent.get(path).expect(200);
  const signIn = /href="(\/login\?next=[^"]+)"/.exec(first.text)?.[1]?.replace(/&amp;/g, '&');
  if (!signIn) throw new Error(`no sign-in link on ${path}: ${first.text}`);
  await agent.get(signIn).expect(200);
  await signInWithPassword(ctx, agent, email);
  const back = await agent.get('/login').expect(303);
  expect(back.headers.location).toBe(path);
  return { first, page: await agent.get(path) };
}
