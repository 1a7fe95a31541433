// What a page behind a mailed link shows first (U3, A3, M1, D6/O1 links, invitations).
import { describe, expect, it } from '@jest/globals';
import { adviseDeadLink, decideLinkState, type MailedLink } from '../../src/rules/mailed-links.js';

const NOW = new Date('2026-12-07T12:00:00Z');
const LATER = new Date('2026-12-08T12:00:00Z');
const EARLIER = new Date('2026-12-06T12:00:00Z');

describe('decideLinkState', () => {
  it.each([
    ['no such link', undefined, 'unknown'],
    ['unused and unexpired', { expiresAt: LATER, usedAt: null }, 'live'],
    ['used', { expiresAt: LATER, usedAt: EARLIER }, 'used'],
    ['used, then expired: used is what happened', { expiresAt: EARLIER, usedAt: EARLIER }, 'used'],
    ['expired', { expiresAt: EARLIER, usedAt: null }, 'expired'],
    ['expiring exactly now', { expiresAt: NOW, usedAt: null }, 'expired'],
    ['revoked or replaced', { expiresAt: LATER, usedAt: null, revokedAt: EARLIER }, 'withdrawn'],
  ] as const)('R-U3: %s → %s', (_name, link, state) => {
    expect(decideLinkState(link, NOW)).toBe(state);
  });
});

describe('adviseDeadLink: what happened and the next step', () => {
  it('R-U3: a used reset link points to a new one at /password-reset', () => {
    expect(adviseDeadLink('password_reset', 'used')).toMatchObject({ nextPath: '/password-reset', message: expect.stringContaining('already used') });
  });

  it('an accepted invitation says so and points to sign-in; an expired one says to ask for a new invitation', () => {
    expect(adviseDeadLink('invitation', 'used')).toMatchObject({ nextPath: '/login', message: expect.stringContaining('already accepted') });
    expect(adviseDeadLink('invitation', 'expired').message).toContain('ask your administrator for a new invitation');
  });

  it.each(['password_reset', 'invitation', 'merge', 'account_import', 'signup'] as MailedLink[])('%s: every state has a message with a next step', (kind) => {
    for (const state of ['used', 'expired', 'withdrawn', 'unknown'] as const) {
      const advice = adviseDeadLink(kind, state);
      expect(advice.title).not.toBe('');
      expect(advice.message.length).toBeGreaterThan(40);
      expect(advice.message).not.toMatch(/contact support/i);
    }
  });
});
