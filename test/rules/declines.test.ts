// Saying no to a mailed request: M1 (merge invitation), A3 (account import).
import { describe, expect, it } from '@jest/globals';
import { decideImportDecline, decideMergeDecline } from '../../src/rules/declines.js';
import { account, ORG_A, ORG_B, OUTSIDER, owner, STANDARD, standard } from './builders.js';

describe('decideMergeDecline (M1)', () => {
  it('R-M1: the person the invitation was sent to may decline, whatever the case of the address', () => {
    expect(decideMergeDecline(owner(), 'OLGA@Corporate.com')).toEqual({ kind: 'allow' });
  });

  it('R-M1: anyone else is refused (forbidden)', () => {
    expect(decideMergeDecline(standard(), 'olga@corporate.com')).toMatchObject({ kind: 'reject', code: 'forbidden' });
    // U1: a plus-address is another person.
    expect(decideMergeDecline(owner({ email: 'olga+x@corporate.com' }), 'olga@corporate.com')).toMatchObject({ code: 'forbidden' });
  });
});

describe('decideImportDecline (A3)', () => {
  const pending = account({ management: 'pending', ownerSid: STANDARD });

  it('R-A3: the owner declines; an account that was outside every organization goes back outside', () => {
    expect(decideImportDecline(pending, ORG_A, STANDARD, null)).toEqual({ kind: 'decline', accountSid: pending.sid, orgSid: null, management: null });
  });

  it('R-A3: an account that was independent in the organization stays there, independent', () => {
    expect(decideImportDecline(pending, ORG_A, STANDARD, 'independent')).toEqual({ kind: 'decline', accountSid: pending.sid, orgSid: ORG_A, management: 'independent' });
  });

  it("R-A3: only the account's owner may decline", () => {
    expect(decideImportDecline(pending, ORG_A, OUTSIDER, null)).toMatchObject({ kind: 'reject', code: 'forbidden' });
  });

  it('R-A3: nothing to decline when the account is not pending in that organization', () => {
    expect(decideImportDecline(account({ management: 'managed', ownerSid: STANDARD }), ORG_A, STANDARD, null)).toMatchObject({ code: 'not_found' });
    expect(decideImportDecline(pending, ORG_B, STANDARD, null)).toMatchObject({ code: 'not_found' });
  });
});
