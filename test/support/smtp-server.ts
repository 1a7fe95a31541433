/**
 * A real SMTP server on loopback (smtp-server) that parses what it receives (mailparser), so mail
 * tests follow the links in delivered messages instead of reading the outbox table.
 */
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  /** Every http(s) URL in the text body, in order. */
  readonly links: readonly string[];
}

export interface TestSmtpServer {
  /** For `createTestContext({ smtpUrl })`: plain SMTP, no STARTTLS, no authentication. */
  readonly url: string;
  readonly messages: readonly ReceivedMail[];
  /** Resolves with the first message to `recipient` not yet returned by an earlier wait. */
  waitFor(recipient: string, timeoutMs?: number): Promise<ReceivedMail>;
  /** Messages received for `recipient` so far. */
  to(recipient: string): ReceivedMail[];
  close(): Promise<void>;
}

export interface SmtpServerOptions {
  /** Called when a message's data starts arriving; the server answers only once it resolves (a slow server). */
  readonly beforeAccept?: () => Promise<void>;
}

/** Starts the server on 127.0.0.1, port chosen by the system. */
export async function startSmtpServer(options: SmtpServerOptions = {}): Promise<TestSmtpServer> {
  const messages: ReceivedMail[] = [];
  const taken = new Set<ReceivedMail>();
  const waiters: { recipient: string; resolve: (m: ReceivedMail) => void }[] = [];

  const offer = (mail: ReceivedMail): void => {
    const i = waiters.findIndex((w) => mail.to.includes(w.recipient) && !taken.has(mail));
    if (i < 0) return;
    const [waiter] = waiters.splice(i, 1);
    taken.add(mail);
    waiter!.resolve(mail);
  };

  const server = new SMTPServer({
    // Loopback test server: no TLS to negotiate and no credentials to check.
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onData(stream, session, callback) {
      Promise.all([simpleParser(stream), options.beforeAccept?.()]).then(([parsed]) => {
        const text = parsed.text ?? '';
        const mail: ReceivedMail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          subject: parsed.subject ?? '',
          text,
          links: text.match(/https?:\/\/[^\s<>"]+/g) ?? [],
        };
        messages.push(mail);
        offer(mail);
        callback();
      }, (error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as { port: number };

  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    to: (recipient) => messages.filter((m) => m.to.includes(recipient.toLowerCase())),
    waitFor(recipient, timeoutMs = 5000) {
      const wanted = recipient.toLowerCase();
      const ready = messages.find((m) => m.to.includes(wanted) && !taken.has(m));
      if (ready) {
        taken.add(ready);
        return Promise.resolve(ready);
      }
      return new Promise((resolve, reject) => {
        const waiter = { recipient: wanted, resolve: (m: ReceivedMail) => { clearTimeout(timer); resolve(m); } };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`No mail to ${recipient} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
