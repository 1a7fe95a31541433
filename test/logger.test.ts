/**
 * Logs are JSON lines (pino): level names, ISO time, the message; secret-looking fields redacted
 * at any depth; the current request's id on every line written while it is served.
 */
import request from 'supertest';
import { createLogger } from '../src/logger.js';
import { withRequestId } from '../src/request-context.js';
import { createTestContext } from './support/app.js';
import { postForm } from './http/auth/support.js';

const collect = (level: Parameters<typeof createLogger>[0] = 'debug') => {
  const lines: string[] = [];
  return { lines, logger: createLogger(level, (l) => lines.push(l)), parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
};

describe('logger', () => {
  it('writes one JSON object per line with level, ISO time and message', () => {
    const { lines, logger, parsed } = collect();
    logger.info('hello', { orgSid: 'OR1', count: 2 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    // The message leads the fields, so patterns such as "msg":"draining","signal" match.
    expect(lines[0]).toMatch(/^\{"level":"info","time":"[^"]+","msg":"hello","orgSid":"OR1","count":2\}$/);
    expect(parsed()[0]).toEqual({ level: 'info', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), msg: 'hello', orgSid: 'OR1', count: 2 });
  });

  it('redacts secret-looking fields at any depth, errors and their causes included', () => {
    const { lines, logger, parsed } = collect();
    const cause = Object.assign(new Error('inner'), { code: 'E_INNER' });
    logger.warn('secrets', {
      password: 'hunter2', clientSecret: 's3cr3t', nested: { sessionToken: 'tok-123', authorization: 'Bearer abc', fine: 'visible' },
      list: [{ cookie: 'sid=1' }], passwordHash: 'scrypt$x', privateKey: '-----BEGIN', error: new Error('outer', { cause }),
    });
    const text = lines.join('\n');
    for (const secret of ['hunter2', 's3cr3t', 'tok-123', 'Bearer abc', 'sid=1', 'scrypt$x', '-----BEGIN']) expect(text).not.toContain(secret);
    const line = parsed()[0]!;
    expect(line).toMatchObject({
      password: '[redacted]', clientSecret: '[redacted]', nested: { sessionToken: '[redacted]', authorization: '[redacted]', fine: 'visible' },
      list: [{ cookie: '[redacted]' }], error: { name: 'Error', message: 'outer', cause: { message: 'inner', code: 'E_INNER' } },
    });
  });

  it('drops lines below its level and writes nothing when silent', () => {
    const warn = collect('warn');
    warn.logger.info('quiet');
    warn.logger.error('loud');
    expect(warn.parsed().map((l) => l.msg)).toEqual(['loud']);
    const silent = collect('silent');
    silent.logger.error('nothing');
    expect(silent.lines).toEqual([]);
  });

  it('adds the current request id to every line, across awaits', async () => {
    const { logger, parsed } = collect();
    logger.info('outside');
    await withRequestId('req-12345678', async () => {
      logger.info('first');
      await new Promise((resolve) => setImmediate(resolve));
      logger.info('after await');
    });
    expect(parsed().map((l) => [l.msg, l.requestId])).toEqual([['outside', undefined], ['first', 'req-12345678'], ['after await', 'req-12345678']]);
  });

  it('every line written while serving a request carries that request\'s id (Express and SCIM)', async () => {
    const { logger, parsed } = collect('info');
    const ctx = await createTestContext({ logger });
    try {
      const signIn = await postForm(request.agent(ctx.app), '/login/password', { email: 'nobody@log.test', password: 'wrong password here' });
      expect(signIn.status).toBe(401);
      const signInId = signIn.headers['x-request-id'] as string;
      const scim = await request(ctx.app).get('/scim/v2/Users').set('X-Request-Id', 'scim-request-0001').set('Authorization', 'Bearer owscim_bogus');
      expect(scim.status).toBe(401);
      const lines = parsed();
      expect(lines.length).toBeGreaterThan(0);
      const byRequest = (id: string) => lines.filter((l) => l.requestId === id);
      expect(byRequest('scim-request-0001').map((l) => l.msg)).toContain('scim authentication failed');
      expect(byRequest(signInId).map((l) => l.msg)).toContain('sign-in failed');
      // No line without a request id: everything above was written while serving one of the two.
      expect(lines.filter((l) => l.requestId === undefined)).toEqual([]);
    } finally {
      await ctx.close();
    }
  });
});
