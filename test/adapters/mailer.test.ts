/**
 * The mailer delivers the outbox over SMTP to a real server on loopback; without SMTP_URL it keeps
 * messages in the outbox and logs their links; a failed delivery stays in the outbox for later.
 */
import { createMailer } from '../../src/adapters/mailer.js';
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
