/**
 * Delivers the mail outbox over SMTP (nodemailer), never inside a transaction: a short transaction
 * leases a batch, SMTP runs with no row lock held, then each message is marked sent (its body,
 * which carries live links, is dropped) or failed (retried by a later flush).
 *
 * Without SMTP_URL nothing is sent. In development (not NODE_ENV=production) the outbox is the
 * mailbox: a log line shows each message's recipient, subject and links, and the message is kept.
 * In production without SMTP_URL messages wait in the outbox until SMTP_URL is set.
 */
import nodemailer from 'nodemailer';
import type { Logger } from '../logger.js';
import type { Store } from '../store/index.js';
import type { Clock } from '../clock.js';

export interface Mailer {
  /** Sends what is waiting in the outbox; resolves when this round is done. Never throws. */
  flush(): Promise<void>;
  /** Resolves once a delivery round in progress (if any) is done; starts none. */
  idle(): Promise<void>;
  close(): void;
}

export interface MailerOptions {
  readonly smtpUrl: string | undefined;
  readonly from: string;
  readonly store: Store;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Without SMTP_URL: log links (development, the default) or keep messages silently (production). */
  readonly logLinks?: boolean;
}

const BATCH = 20;
// Longer than any SMTP exchange nodemailer allows (its socket timeouts are 10 minutes at most),
// so a lease never runs out while its message is still being sent.
const LEASE_MS = 15 * 60 * 1000;

/** How mail leaves this process, in one line for the start-up log. */
export function describeMailDelivery(smtpUrl: string | undefined, logLinks: boolean): string {
  if (smtpUrl) return 'mail is sent over SMTP (SMTP_URL)';
  if (logLinks) return 'development mail: no SMTP_URL, so messages and their links are written to this log and kept in the outbox';
  return 'no SMTP_URL in production: mail waits in the outbox, unsent, until SMTP_URL is set';
}

export function createMailer(options: MailerOptions): Mailer {
  const { store, logger, clock } = options;
  const transport = options.smtpUrl ? nodemailer.createTransport(options.smtpUrl) : undefined;
  const logLinks = !transport && options.logLinks !== false;
  let running: Promise<void> | undefined;
  let again = false;

  async function round(): Promise<void> {
    if (!transport && !logLinks) return;
    for (;;) {
      const now = clock.now();
      const batch = await store.transaction((repos) => repos.outbox.lease(BATCH, now, new Date(now.getTime() + LEASE_MS)));
      let failed = false;
      for (const message of batch) {
        if (!transport) {
          const links = message.bodyText.match(/https?:\/\/\S+/g) ?? [];
          logger.info('mail kept in outbox (no SMTP_URL)', { to: message.recipient, subject: message.subject, outboxId: message.id, links });
          await store.transaction((repos) => repos.outbox.markSent(message.id, clock.now(), { keepBody: true }));
          continue;
        }
        try {
          await transport.sendMail({ from: options.from, to: message.recipient, subject: message.subject, text: message.bodyText });
        } catch (error) {
          failed = true;
          logger.warn('mail delivery failed', { outboxId: message.id, error: (error as Error).message });
          await store.transaction((repos) => repos.outbox.markFailed(message.id, (error as Error).message));
          continue;
        }
        await store.transaction((repos) => repos.outbox.markSent(message.id, clock.now()));
      }
      // A failure ends the round: the next flush retries, instead of this one spinning on it.
      if (batch.length < BATCH || failed) return;
    }
  }

  return {
    flush() {
      if (running) { again = true; return running; }
      running = (async () => {
        do {
          again = false;
          await round().catch((error: unknown) => {
            // An unreachable database is reported in one line (the server says more elsewhere).
            logger.error('mail outbox round failed', { reason: error instanceof Error ? error.message : String(error) });
          });
        } while (again);
      })().finally(() => { running = undefined; });
      return running;
    },
    async idle() { await running; },
    close() { transport?.close(); },
  };
}
