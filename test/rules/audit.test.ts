import { describe, expect, it } from '@jest/globals';
import { redactSecrets } from '../../src/rules/index.js';

const AT = new Date('2025-02-03T04:05:06.000Z');

describe('redactSecrets (L1)', () => {
  it.each([
    ['password', { email: 'a@b.co', password: 'hunter2hunter2' }, { email: 'a@b.co' }],
    ['passwordHash', { passwordHash: '$argon2id$...', status: 'active' }, { status: 'active' }],
    ['client_secret', { client_secret: 's3cr3t', clientId: 'abc' }, { clientId: 'abc' }],
    ['tokens', { scimToken: 'tkn', refresh_token: 'r', name: 'n' }, { name: 'n' }],
    ['keys', { privateKey: '---', apiKey: 'k', KEY: 'k', label: 'l' }, { label: 'l' }],
    ['nested', { sso: { certificate: 'PEM', signingKey: 'x', saml: { secret: 's', entityId: 'e' } } }, { sso: { certificate: 'PEM', saml: { entityId: 'e' } } }],
    ['inside arrays', { users: [{ email: 'a', tokenHash: 'h' }, { email: 'b' }] }, { users: [{ email: 'a' }, { email: 'b' }] }],
    ['dates become ISO strings', { changedAt: AT }, { changedAt: '2025-02-03T04:05:06.000Z' }],
    ['undefined becomes null', { name: undefined }, { name: null }],
    ['functions are dropped', { name: 'n', fn: () => 1 }, { name: 'n' }],
  ])('R-L1: secrets never reach the log (%s)', (_label, value, expected) => {
    expect(redactSecrets(value)).toEqual(expected);
  });

  it('R-L1: no secret survives anywhere in the stored JSON', () => {
    const stored = JSON.stringify(redactSecrets({ a: [{ b: { password: 'P@ss-1', c: [{ secret: 'S-2' }] } }], token: 'T-3' }));
    expect(stored).not.toMatch(/P@ss-1|S-2|T-3/);
  });

  it('R-L1: a cycle is cut, a shared object is kept twice', () => {
    const shared = { v: 1 };
    const cyclic: Record<string, unknown> = { shared, again: shared };
    cyclic.self = cyclic;
    expect(redactSecrets(cyclic)).toEqual({ shared: { v: 1 }, again: { v: 1 }, self: '[circular]' });
  });

  it('R-L1: the input is not modified', () => {
    const before = { password: 'x', name: 'n' };
    redactSecrets(before);
    expect(before).toEqual({ password: 'x', name: 'n' });
  });
});
