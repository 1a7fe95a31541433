/**
 * Delivers the mail outbox over SMTP (nodemailer). Without SMTP_URL messages stay in the outbox
 * and, as a development convenience, a log line shows the recipient, subject and the links it carries.
 */
import nodemailer from 'nodemailer';
import type { Logger } from '../logger.js';
import type { Store } from '../store/index.js';
import type { Clock } from '../clock.js';

export interface Mailer {
  /** Sends what is waiting in the outbox; resolves when this round is done. Never throws. */
  flush(): Promise<void>;
  close(): void;
}

export function createMailer(options: { smtpUrl: string | undefined; from: string; store: Store; logger: Logger; clock: Clock }): Mailer {
  const { store, logger, clock } = options;
  const transport = options.smtpUrl ? nodemailer.createTransport(options.smtpUrl) : undefined;
  let running: Promise<void> | undefined;
  let again = false;

  async function round(): Promise<void> {
    for (;;) {
      const sent = await store.transaction(async (repos) => {
        const batch = await repos.outbox.claimUnsent(20);
        for (const message of batch) {
          if (!transport) {
            const links = message.bodyText.match(/https?:\/\/\S+/g) ?? [];
            logger.info('mail kept in outbox (no SMTP_URL)', { to: message.recipient, subject: message.subject, outboxId: message.id, links });
            await repos.outbox.markSent(message.id, clock.now());
            continue;
          }
          try {
            await transport.sendMail({ from: options.from, to: message.recipient, subject: message.subject, text: message.bodyText });
            await repos.outbox.markSent(message.id, clock.now());
          } catch (error) {
            logger.warn('mail delivery failed', { outboxId: message.id, error: (error as Error).message });
            await repos.outbox.markFailed(message.id, (error as Error).message);
          }
        }
        return batch.length;
      });
      if (sent < 20) return;
    }
  }

  return {
    flush() {
      if (running) { again = true; return running; }
      running = (async () => {
        do { again = false; await round().catch((error) => logger.error('mail outbox round failed', { error })); } while (again);
      })().finally(() => { running = undefined; });
      return running;
    },
    close() { transport?.close(); },
  };
}
