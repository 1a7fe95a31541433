/**
 * The one list of common mailbox domains: providers where anyone can get an address, so no
 * organization can prove it speaks for the people using them.
 *
 * Rules: D2 (common domains cannot be registered or verified; their users can still create an
 * organization), D7 (so they never qualify for invitations, SCIM or bulk import).
 */

/**
 * D2: common mailbox domains, normalised (lower-case, punycode). Add new providers here and
 * nowhere else. Exact names only: a subdomain of a listed domain is a different domain (D4).
 */
export const COMMON_MAILBOX_DOMAINS: ReadonlySet<string> = new Set([
  // Google
  'gmail.com', 'googlemail.com',
  // Microsoft
  'hotmail.com', 'hotmail.co.uk', 'hotmail.fr', 'hotmail.de', 'hotmail.it', 'hotmail.es', 'hotmail.nl',
  'hotmail.be', 'hotmail.ca', 'hotmail.com.au', 'hotmail.com.br', 'hotmail.co.jp', 'hotmail.se',
  'outlook.com', 'outlook.fr', 'outlook.de', 'outlook.it', 'outlook.es', 'outlook.jp', 'outlook.com.br',
  'outlook.co.uk', 'outlook.in', 'outlook.com.au', 'outlook.be', 'outlook.sa',
  'live.com', 'live.co.uk', 'live.fr', 'live.de', 'live.it', 'live.nl', 'live.ca', 'live.com.au',
  'live.com.mx', 'live.be', 'live.se', 'live.dk', 'live.no', 'live.jp', 'msn.com', 'passport.com', 'windowslive.com',
  // Yahoo / AOL / Verizon Media
  'yahoo.com', 'yahoo.co.uk', 'yahoo.fr', 'yahoo.de', 'yahoo.it', 'yahoo.es', 'yahoo.ca', 'yahoo.co.in',
  'yahoo.in', 'yahoo.com.au', 'yahoo.com.br', 'yahoo.com.mx', 'yahoo.com.ar', 'yahoo.co.jp', 'yahoo.com.sg',
  'yahoo.com.hk', 'yahoo.com.tw', 'yahoo.com.ph', 'yahoo.co.id', 'yahoo.gr', 'yahoo.ie', 'yahoo.se',
  'ymail.com', 'rocketmail.com', 'aol.com', 'aol.co.uk', 'aol.fr', 'aol.de', 'aim.com',
  'verizon.net', 'att.net', 'sbcglobal.net', 'bellsouth.net', 'pacbell.net', 'flash.net', 'prodigy.net',
  // Apple
  'icloud.com', 'me.com', 'mac.com',
  // Privacy-focused providers
  'proton.me', 'protonmail.com', 'protonmail.ch', 'pm.me', 'tutanota.com', 'tutanota.de', 'tutamail.com',
  'tuta.io', 'tuta.com', 'keemail.me', 'fastmail.com', 'fastmail.fm', 'hey.com', 'posteo.de', 'posteo.net',
  'mailbox.org', 'runbox.com', 'startmail.com', 'hushmail.com', 'disroot.org', 'riseup.net',
  'duck.com', 'skiff.com', 'mailfence.com', 'countermail.com', 'ctemplar.com',
  // Generic providers
  'gmx.com', 'gmx.de', 'gmx.net', 'gmx.at', 'gmx.ch', 'gmx.fr', 'gmx.co.uk', 'gmx.us',
  'mail.com', 'email.com', 'usa.com', 'post.com', 'consultant.com', 'myself.com', 'dr.com', 'europe.com',
  'web.de', 'freenet.de', 't-online.de', 'arcor.de', 'zoho.com', 'zohomail.com', 'zohomail.eu', 'zoho.eu',
  'inbox.com', 'lycos.com', 'excite.com', 'rediffmail.com', 'juno.com', 'netzero.net', 'earthlink.net',
  'mail.ee', 'inbox.lv', 'o2.pl', 'wp.pl', 'onet.pl', 'interia.pl', 'op.pl', 'seznam.cz', 'centrum.cz',
  'email.cz', 'azet.sk', 'abv.bg', 'libero.it', 'virgilio.it', 'tiscali.it', 'alice.it', 'tin.it',
  'orange.fr', 'wanadoo.fr', 'free.fr', 'laposte.net', 'sfr.fr', 'neuf.fr', 'bbox.fr', 'voila.fr',
  'telenet.be', 'skynet.be', 'ziggo.nl', 'kpnmail.nl', 'home.nl', 'planet.nl', 'hetnet.nl', 'bluewin.ch',
  'btinternet.com', 'sky.com', 'virginmedia.com', 'ntlworld.com', 'talktalk.net', 'blueyonder.co.uk',
  'comcast.net', 'cox.net', 'charter.net', 'optonline.net', 'frontier.com', 'windstream.net', 'centurylink.net',
  'shaw.ca', 'rogers.com', 'sympatico.ca', 'videotron.ca', 'telus.net', 'bigpond.com', 'bigpond.net.au',
  'optusnet.com.au', 'iinet.net.au', 'xtra.co.nz', 'terra.com.br', 'uol.com.br', 'bol.com.br', 'ig.com.br',
  'globo.com', 'prodigy.net.mx',
  // Russia and neighbours
  'mail.ru', 'inbox.ru', 'list.ru', 'bk.ru', 'internet.ru', 'yandex.ru', 'yandex.com', 'yandex.ua',
  'yandex.by', 'yandex.kz', 'ya.ru', 'rambler.ru', 'ukr.net', 'i.ua', 'meta.ua',
  // Asia
  'qq.com', 'foxmail.com', '163.com', '126.com', 'yeah.net', 'vip.163.com', 'vip.126.com', '188.com',
  'sina.com', 'sina.cn', 'sohu.com', 'aliyun.com', '139.com', '189.cn', 'tom.com', '21cn.com',
  'naver.com', 'hanmail.net', 'daum.net', 'kakao.com', 'nate.com', 'korea.com',
  'yahoo.co.kr', 'docomo.ne.jp', 'ezweb.ne.jp', 'softbank.ne.jp', 'i.softbank.jp', 'au.com', 'nifty.com',
  'biglobe.ne.jp', 'ocn.ne.jp', 'so-net.ne.jp',
]);

/**
 * D2: true when `domain` is a common mailbox domain. Case and a trailing dot are ignored;
 * otherwise the match is exact ('mail.gmail.com' is not 'gmail.com').
 */
export function isCommonDomain(domain: string): boolean {
  let name = domain.trim().toLowerCase();
  if (name.endsWith('.')) name = name.slice(0, -1);
  return COMMON_MAILBOX_DOMAINS.has(name);
}

/**
 * D2, D4, D7: the next step for an address whose domain the organization has not verified, told
 * only when it exists: a common mailbox domain can never be verified, and a domain another
 * organization verified cannot be verified here, so for those the way out is another address.
 */
export function verifyDomainHint(domain: string, verifiedElsewhere = false): string {
  if (isCommonDomain(domain)) {
    return `${domain} is a public email provider, which no organization can verify: use an address on one of the organization's verified domains.`;
  }
  if (verifiedElsewhere) {
    return `${domain} is verified by another organization, so it cannot be verified here: use an address on one of the organization's verified domains.`;
  }
  return `Verify ${domain} first, or use an address on one of the organization's verified domains.`;
}
