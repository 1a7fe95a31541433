/** S1, U5: a connection may not be disabled or deleted while it is the only working one of an organization that enforces SSO. */
import { decideConnectionWithdrawal } from '../../src/rules/sso.js';

const at = new Date('2026-12-01T00:00:00Z');
const tested = (id: string, enabled = true) => ({ id, enabled, testedAt: at, updatedAt: at });
const untested = (id: string) => ({ id, enabled: true, testedAt: null, updatedAt: at });

describe('decideConnectionWithdrawal', () => {
  it('R-S1: allows withdrawing any connection when no domain enforces SSO', () => {
    expect(decideConnectionWithdrawal({ connectionId: 'a', connections: [tested('a')], enforcedDomains: [] }).kind).toBe('allow');
  });

  it('R-U5: refuses withdrawing the only enabled, tested connection of an enforcing organization', () => {
    const decision = decideConnectionWithdrawal({ connectionId: 'a', connections: [tested('a'), untested('b'), tested('c', false)], enforcedDomains: ['corp.test'] });
    expect(decision).toMatchObject({ kind: 'reject', code: 'sso_connection_in_use' });
    expect((decision as { message: string }).message).toContain('corp.test');
  });

  it('R-S1: allows it when another enabled connection has passed its test', () => {
    expect(decideConnectionWithdrawal({ connectionId: 'a', connections: [tested('a'), tested('b')], enforcedDomains: ['corp.test'] }).kind).toBe('allow');
  });

  it('R-S1: a test older than the last change does not count', () => {
    const stale = { id: 'b', enabled: true, testedAt: at, updatedAt: new Date(at.getTime() + 1000) };
    expect(decideConnectionWithdrawal({ connectionId: 'a', connections: [tested('a'), stale], enforcedDomains: ['corp.test'] }).kind).toBe('reject');
  });
});
