/**
 * Issue 13 acceptance: two server processes on one PostgreSQL deliver an endpoint's events exactly
 * in order with none lost when one is killed (SIGKILL, no shutdown code runs) mid-delivery;
 * duplicates are allowed and each carries the webhook-id of its event. The receiver is a real
 * HTTP server on loopback that verifies every delivery with the `standardwebhooks` package.
 * The surviving instance takes the endpoint over when the dead one's lease lapses (30 s), so this
 * test takes that long: it is the real failover time.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { cliDatabase, type CliDatabase } from '../cli/run-cli.js';
import { startServer, stopServer, type ServerProcess } from './server-process.js';
import { eventually } from '../jobs/webhook-support.js';

const SLOW = 180_000;
const onPostgres = Boolean(process.env.DATABASE_URL);
const CHANGES = 10;
/** The delivery that arrives while the first instance is killed (1-based). */
const KILLED_AT = 4;

interface Arrival { readonly id: string; readonly target: string }

(onPostgres ? describe : describe.skip)('webhook delivery across two server processes (PostgreSQL)', () => {
  let db: CliDatabase;
  let runtime: Runtime;
  const servers: ServerProcess[] = [];
  let receiver: http.Server;
  const arrivals: Arrival[] = [];
  const forged: string[] = [];
  let secret = '';

  beforeAll(async () => {
    db = await cliDatabase();
    db.env.WEBHOOK_ALLOW_PRIVATE_TARGETS = 'true';
    runtime = await createRuntime(loadConfig({ ...db.env, LOG_LEVEL: 'silent' }), silentLogger);
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        try {
          new Webhook(secret).verify(body, req.headers as Record<string, string>);
        } catch {
          forged.push(body);
        }
        const payload = JSON.parse(body) as { type: string; data: { target: string } };
        if (payload.type !== 'organization.updated') return void res.writeHead(204).end();
        arrivals.push({ id: String(req.headers['webhook-id']), target: payload.data.target });
        // The KILLED_AT-th delivery is never answered: its sender dies waiting for the answer.
        if (arrivals.length === KILLED_AT) return;
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  }, SLOW);

  afterAll(async () => {
    for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) await stopServer(s, 'SIGKILL');
    receiver?.closeAllConnections();
    await new Promise((resolve) => receiver?.close(resolve));
    await runtime?.close();
    await db?.close();
  }, SLOW);

  it('delivers in order with none lost when the sending instance is killed mid-delivery; duplicates keep their webhook-id', async () => {
    const operator = { kind: 'operator' } as const;
    const { orgSid } = await runtime.services.organizations.create(operator, { name: 'Failover', ownerEmail: 'owner@failover.example' });
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    secret = (await runtime.services.webhooks.add(operator, null, { url, types: ['organization.updated'] })).secret;
    const targets: string[] = [];
    for (let i = 0; i < CHANGES; i += 1) {
      const target = `change-${i}`;
      await runtime.store.transaction((repos) => repos.audit.append({ orgSid, actor: 'operator', action: 'organization.renamed', target, before: null, after: null }));
      targets.push(target);
    }

    const first = await startServer(db.env);
    servers.push(first);
    await eventually(() => arrivals.length >= KILLED_AT, 60_000);
    // The second instance runs before the first dies: two instances on one database.
    const second = await startServer(db.env);
    servers.push(second);
    expect(arrivals).toHaveLength(KILLED_AT);
    expect((await stopServer(first, 'SIGKILL')).signal).toBe('SIGKILL');

    // The first instance's lease lapses and the second sends from the unanswered delivery on.
    await eventually(() => new Set(arrivals.map((a) => a.target)).size === CHANGES, 90_000);
    const firstSeen: string[] = [];
    for (const a of arrivals) if (!firstSeen.includes(a.target)) firstSeen.push(a.target);
    expect(firstSeen).toEqual(targets);
    // The second instance resends from a delivery the first had not recorded (at the latest the
    // interrupted one) and then every later one once, in order: duplicates, never a gap or a swap.
    const resentFrom = targets.indexOf(arrivals[KILLED_AT]!.target);
    expect(resentFrom).toBeGreaterThanOrEqual(0);
    expect(resentFrom).toBeLessThan(KILLED_AT);
    expect(arrivals.map((a) => a.target)).toEqual([...targets.slice(0, KILLED_AT), ...targets.slice(resentFrom)]);
    const idOf = new Map<string, string>();
    for (const a of arrivals) {
      expect(idOf.get(a.target) ?? a.id).toBe(a.id);
      idOf.set(a.target, a.id);
    }
    expect(forged).toEqual([]);
    expect(second.child.exitCode).toBeNull();
  }, SLOW);
});
