/**
 * The mailer delivers the outbox over SMTP to a real server on loopback; without SMTP_URL it keeps
 * messages in the outbox and logs their links (development only); a failed delivery stays in the
 * outbox for later. Delivery holds no row lock while SMTP talks, and a sent message keeps no body.
 */
import { createMailer, describeMailDelivery } from '../../src/adapters/mailer.js';
import { manualClock } from '../../src/clock.js';
import { createLogger, silentLogger } from '../../src/logger.js';
import { createStore, type Store } from '../../src/store/index.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';

let testDb: TestDb;
let store: Store;
let smtp: TestSmtpServer;
const clock = manualClock();

beforeAll(async () => {
  testDb = await createTestDb();
  store = createStore(testDb.db);
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await smtp.close();
  await testDb.destroy();
});

const enqueue = (recipient: string, bodyText: string) =>
  store.transaction((repos) => repos.outbox.enqueue({ recipient, subject: 'Hello', bodyText }));
/** Fails instead of hanging when `work` is blocked (by a row lock, or PGlite's one connection). */
const withinMs = <T>(ms: number, work: Promise<T>): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`still blocked after ${ms} ms`)), ms); });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
};
const unsent = async (recipient: string) => (await store.read.outbox.listTo(recipient)).filter((m) => m.sentAt === null);

describe('mailer', () => {
  it('delivers queued mail over SMTP and marks it sent', async () => {
    const mailer = createMailer({ smtpUrl: smtp.url, from: 'Orgward <no-reply@orgward.test>', store, logger: silentLogger, clock });
    await enqueue('one@mail.test', 'Follow https://orgward.test/password-reset/abc to continue.');
    await mailer.flush();
    mailer.close();
    const [mail] = smtp.to('one@mail.test');
    expect(mail).toMatchObject({ from: 'no-reply@orgward.test', subject: 'Hello', links: ['https://orgward.test/password-reset/abc'] });
    expect(await unsent('one@mail.test')).toEqual([]);
  });

  it('without SMTP_URL keeps the message and logs its links', async () => {
    const lines: string[] = [];
    const mailer = createMailer({ smtpUrl: undefined, from: 'x@orgward.test', store, logger: createLogger('info', (l) => lines.push(l)), clock });
    await enqueue('two@mail.test', 'Accept: https://orgward.test/invitations/xyz');
    await mailer.flush();
    expect(lines.map((l) => JSON.parse(l) as { to: string; links: string[] }).find((l) => l.to === 'two@mail.test')?.links).toEqual(['https://orgward.test/invitations/xyz']);
    expect((await store.read.outbox.listTo('two@mail.test'))[0]?.bodyText).toContain('/invitations/xyz');
  });

  it('drops the body once the message is sent: no live link stays in the outbox', async () => {
    const mailer = createMailer({ smtpUrl: smtp.url, from: 'x@orgward.test', store, logger: silentLogger, clock });
    await enqueue('four@mail.test', 'Reset: https://orgward.test/password-reset/live-token');
    await mailer.flush();
    mailer.close();
    expect(smtp.to('four@mail.test')[0]?.links).toEqual(['https://orgward.test/password-reset/live-token']);
    const rows = await testDb.db('mail_outbox').where({ recipient: 'four@mail.test' }).select('subject', 'body_text', 'sent_at');
    expect(rows).toEqual([{ subject: 'Hello', body_text: null, sent_at: expect.any(Date) }]);
  });

  it('holds no row lock while a slow SMTP server takes the message, and a second instance does not send it twice', async () => {
    let arrived!: () => void;
    const arriving = new Promise<void>((resolve) => { arrived = resolve; });
    let accept!: () => void;
    const accepted = new Promise<void>((resolve) => { accept = resolve; });
    const slow = await startSmtpServer({ beforeAccept: () => { arrived(); return accepted; } });
    const mailer = createMailer({ smtpUrl: slow.url, from: 'x@orgward.test', store, logger: silentLogger, clock });
    const other = createMailer({ smtpUrl: slow.url, from: 'x@orgward.test', store, logger: silentLogger, clock });
    try {
      const id = await enqueue('five@mail.test', 'Slow');
      const delivering = mailer.flush();
      await arriving; // the SMTP server holds the message and has not answered yet
      // A concurrent update of the same row completes while the mail is still being delivered.
      const updated = await withinMs(5000, testDb.db.transaction(async (trx) => {
        if (testDb.kind === 'postgresql') await trx.raw("SET LOCAL lock_timeout = '3s'");
        return trx('mail_outbox').where({ id }).update({ last_error: 'touched' });
      }));
      expect(updated).toBe(1);
      await other.flush(); // leased by the first instance: left alone
      accept();
      await delivering;
      expect(slow.to('five@mail.test')).toHaveLength(1);
      expect(await unsent('five@mail.test')).toEqual([]);
    } finally {
      accept();
      mailer.close();
      other.close();
      await slow.close();
    }
  });

  it('in production without SMTP_URL logs nothing and keeps the message until SMTP_URL is set', async () => {
    const lines: string[] = [];
    const quiet = createMailer({ smtpUrl: undefined, logLinks: false, from: 'x@orgward.test', store, logger: createLogger('debug', (l) => lines.push(l)), clock });
    await enqueue('six@mail.test', 'Invite: https://orgward.test/invitations/secret-six');
    await quiet.flush();
    expect(lines.join('\n')).not.toContain('secret-six');
    expect(await unsent('six@mail.test')).toHaveLength(1);
    const working = createMailer({ smtpUrl: smtp.url, from: 'x@orgward.test', store, logger: silentLogger, clock });
    await working.flush();
    working.close();
    expect(smtp.to('six@mail.test')[0]?.links).toEqual(['https://orgward.test/invitations/secret-six']);
  });

  it('says at start-up how mail leaves the process', () => {
    expect(describeMailDelivery('smtp://mail:25', true)).toBe('mail is sent over SMTP (SMTP_URL)');
    expect(describeMailDelivery(undefined, true)).toContain('development mail');
    expect(describeMailDelivery(undefined, false)).toContain('until SMTP_URL is set');
  });

  it('leaves a message in the outbox when the SMTP server is down, and sends it once it is back', async () => {
    const down = await startSmtpServer();
    const url = down.url;
    await down.close();
    const failing = createMailer({ smtpUrl: url, from: 'x@orgward.test', store, logger: silentLogger, clock });
    await enqueue('three@mail.test', 'Retry me');
    await failing.flush();
    failing.close();
    expect(await unsent('three@mail.test')).toHaveLength(1);
    const working = createMailer({ smtpUrl: smtp.url, from: 'x@orgward.test', store, logger: silentLogger, clock });
    await working.flush();
    working.close();
    expect(await unsent('three@mail.test')).toEqual([]);
    expect(smtp.to('three@mail.test')).toHaveLength(1);
  });
});
