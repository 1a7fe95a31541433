/** Event types from audit actions (L1) and webhook retry decisions (issue 13). */
import { eventTypeOf, isEventTypeFilter, matchesEventTypes } from '../../src/rules/event-types.js';
import { decideRetry, parseRetryAfter, RETRY_WINDOW_MS } from '../../src/rules/webhook-retries.js';

describe('eventTypeOf (R-L1)', () => {
  it.each([
    ['user.joined', 'user.created'], ['scim.user_provisioned', 'user.updated'], ['user.suspended', 'user.suspended'],
    ['user.restored', 'user.reactivated'], ['user.role_changed', 'membership.role_changed'], ['account.hipaa_flagged', 'account.hipaa_changed'],
    ['domain.added', 'domain.registered'], ['sso.connection_added', 'sso_connection.created'], ['scim.token_revoked', 'scim_token.revoked'],
    ['invitation.created', 'invitation.created'], ['merge.invited', 'merge.invited'], ['role_assignment.deleted', 'role_assignment.deleted'], ['session.revoked', 'session.revoked'],
    ['added', 'organization.added'], ['some.new_action', 'some.new_action'],
  ])('%s → %s', (action, type) => expect(eventTypeOf(action)).toBe(type));

  it('matches exact types and families', () => {
    expect(matchesEventTypes('user.suspended', [])).toBe(true);
    expect(matchesEventTypes('user.suspended', ['user.*'])).toBe(true);
    expect(matchesEventTypes('user_x.suspended', ['user.*'])).toBe(false);
    expect(matchesEventTypes('account.closed', ['user.suspended'])).toBe(false);
    expect(isEventTypeFilter('user.*')).toBe(true);
    expect(isEventTypeFilter('User')).toBe(false);
  });
});

describe('decideRetry', () => {
  const createdAt = new Date('2026-01-01T00:00:00Z');
  const at = (ms: number) => new Date(createdAt.getTime() + ms);
  it('backs off exponentially with jitter, capped at an hour', () => {
    const wait = (attempts: number, jitter: number) => {
      const d = decideRetry({ attempts, createdAt, now: createdAt, status: 500, retryAfterMs: null, jitter });
      return d.kind === 'retry' ? d.at.getTime() - createdAt.getTime() : -1;
    };
    expect(wait(1, 0.5)).toBe(5000);
    expect(wait(2, 0.5)).toBe(10000);
    expect(wait(1, 0)).toBe(4000);
    expect(wait(1, 0.999999)).toBeCloseTo(6000, -1);
    expect(wait(30, 0.5)).toBe(3_600_000);
  });
  it('honours Retry-After (seconds or a date) and keeps retrying for 24 hours', () => {
    const d = decideRetry({ attempts: 1, createdAt, now: createdAt, status: 429, retryAfterMs: 120_000, jitter: 0.5 });
    expect(d).toEqual({ kind: 'retry', at: at(120_000) });
    expect(parseRetryAfter('120', createdAt)).toBe(120_000);
    expect(parseRetryAfter(new Date(createdAt.getTime() + 30_000).toUTCString(), createdAt)).toBe(30_000);
    expect(parseRetryAfter('soon', createdAt)).toBeNull();
    expect(decideRetry({ attempts: 20, createdAt, now: at(RETRY_WINDOW_MS - 1), status: null, retryAfterMs: null, jitter: 0 }).kind).toBe('retry');
    expect(decideRetry({ attempts: 21, createdAt, now: at(RETRY_WINDOW_MS), status: null, retryAfterMs: null, jitter: 0 }).kind).toBe('give_up');
  });
  it('410 Gone disables the endpoint', () => {
    expect(decideRetry({ attempts: 1, createdAt, now: createdAt, status: 410, retryAfterMs: null, jitter: 0 })).toEqual({ kind: 'disable_endpoint' });
  });
});
