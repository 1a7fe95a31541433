/**
 * Mail from a use case: written to the outbox in the caller's transaction and delivered once that
 * transaction commits, so a rolled-back change never sends mail and a committed one always has its
 * message (the outbox survives a crash before delivery). Delivery itself runs outside any
 * transaction (adapters/mailer.ts): no row lock is held while an SMTP server takes its time.
 */
import type { Repos } from '../store/index.js';
import type { ServiceDeps } from './index.js';

/** A plain-text message to one recipient. */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly body: string;
}

/** Enqueues `message` in the transaction of `repos` and flushes the outbox after commit. */
export async function queueMail(
  repos: Repos,
  afterCommit: (fn: () => void) => void,
  deps: Pick<ServiceDeps, 'mailer'>,
  message: MailMessage,
): Promise<void> {
  await repos.outbox.enqueue({ recipient: message.to, subject: message.subject, bodyText: message.body });
  afterCommit(() => void deps.mailer.flush());
}

/** An absolute link under the service's public base URL. */
export function link(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}
