import { describe, expect, it } from '@jest/globals';
import { COMMON_MAILBOX_DOMAINS, isCommonDomain, normaliseDomain } from '../../src/rules/index.js';

describe('common mailbox domains (D2)', () => {
  it.each([
    'gmail.com', 'googlemail.com', 'hotmail.com', 'outlook.com', 'live.com', 'yahoo.com', 'icloud.com', 'me.com',
    'aol.com', 'proton.me', 'protonmail.com', 'gmx.com', 'mail.com', 'yandex.com', 'qq.com', '163.com',
    'ymail.com', 'hotmail.co.uk', 'outlook.fr', 'msn.com', 'gmx.de', 'gmx.net', 'web.de', 'mail.ru', 'yandex.ru',
    'zoho.com', 'fastmail.com', 'hey.com', 'tutanota.com', 'pm.me', '126.com', 'sina.com', 'naver.com',
    'rocketmail.com', 'att.net', 'comcast.net', 'verizon.net', 'GMAIL.COM', 'gmail.com.',
  ])('R-D2: %s is a common mailbox domain', (name) => {
    expect(isCommonDomain(name)).toBe(true);
  });

  it.each(['corporate.com', 'mail.gmail.com', 'gmail.co', 'stage.outlook.com', 'protonmail.corporate.com'])(
    'R-D2: %s is not (exact names only)',
    (name) => {
      expect(isCommonDomain(name)).toBe(false);
    },
  );

  it('R-D2: every listed name is already in normal form (D1), so lookups match', () => {
    for (const name of COMMON_MAILBOX_DOMAINS) {
      expect(normaliseDomain(name)).toEqual({ ok: true, domain: name });
    }
  });
});
