import { describe, expect, it } from '@jest/globals';
import { decideReinvitation } from '../../src/rules/reinvitation.js';

const UNTIL = new Date('2026-12-14T00:00:00Z');
const pending = (role: 'admin' | 'standard') => ({ invitationId: 'inv-1', role, expiresAt: UNTIL });

describe('decideReinvitation (re-inviting a pending email)', () => {
  it('R-D7: nothing pending: a new invitation', () => {
    expect(decideReinvitation('a@corp.com', null, 'admin', false)).toEqual({ kind: 'new' });
  });

  it('the same role renews the invitation and says so', () => {
    expect(decideReinvitation('a@corp.com', pending('admin'), 'admin', false)).toEqual({
      kind: 'replace', replaced: { invitationId: 'inv-1', role: { from: 'admin', to: 'admin' }, expiresAt: { from: UNTIL } },
    });
  });

  it('another role is refused unless asked to replace, naming both roles and --replace', () => {
    const refused = decideReinvitation('a@corp.com', pending('admin'), 'standard', false);
    expect(refused).toMatchObject({ kind: 'reject', code: 'invitation_pending' });
    if (refused.kind === 'reject') {
      expect(refused.message).toContain('an Administrator');
      expect(refused.message).toContain('a Standard User');
      expect(refused.message).toContain('--replace');
    }
    expect(decideReinvitation('a@corp.com', pending('admin'), 'standard', true)).toMatchObject({
      kind: 'replace', replaced: { role: { from: 'admin', to: 'standard' } },
    });
  });
});
