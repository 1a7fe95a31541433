/**
 * The SSRF guard shared by every request Orgward makes to a URL someone else chose (webhook
 * targets, issue 13; IdP metadata URLs, issue 11): loopback, private, link-local and other
 * non-public addresses are refused unless the operator allows private targets. The check runs
 * inside the connection's own DNS lookup, so the address connected to is the address checked (a
 * name that re-resolves to 127.0.0.1 later, DNS rebinding, is refused); a literal IP, which skips
 * DNS, is checked by `literalRefusal` before the request.
 */
import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Why an address is not a public one, or null when it is. */
export function nonPublicRange(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'invalid';
  const range = ipaddr.process(address).range();
  return range === 'unicast' ? null : range;
}

/** Builds the refusal a caller shows: which host, which address, which range. */
export type Refusal = (host: string, address: string, range: string) => Error;

/** The URL's host without IPv6 brackets. */
export const hostOf = (url: URL): string => url.hostname.replace(/^\[|\]$/g, '');

/** The refusal of a literal non-public IP host (which no DNS lookup sees), or null. */
export function literalRefusal(url: URL, allowPrivate: boolean, refuse: Refusal): Error | null {
  const host = hostOf(url);
  if (allowPrivate || !ipaddr.isValid(host)) return null;
  const range = nonPublicRange(host);
  return range === null ? null : refuse(host, host, range);
}

/** Resolves the host now and refuses non-public answers; `unresolved` when the name has none. */
export async function checkHost(host: string, allowPrivate: boolean, refuse: Refusal, unresolved: () => Error): Promise<void> {
  if (allowPrivate) return;
  let addresses: { address: string }[];
  try {
    addresses = ipaddr.isValid(host) ? [{ address: host }] : await dns.promises.lookup(host, { all: true });
  } catch {
    throw unresolved();
  }
  for (const { address } of addresses) {
    const range = nonPublicRange(address);
    if (range !== null) throw refuse(host, address, range);
  }
}

/** A DNS lookup for the connection that refuses non-public answers (the rebinding check). */
export function guardedLookup(allowPrivate: boolean, refuse: Refusal): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 4);
      const list = addresses as dns.LookupAddress[];
      const usable = allowPrivate ? list : list.filter((a) => nonPublicRange(a.address) === null);
      if (usable.length === 0) {
        const first = list[0];
        return callback(refuse(hostname, first?.address ?? '?', first ? nonPublicRange(first.address) ?? '?' : '?') as unknown as NodeJS.ErrnoException, '', 4);
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, usable);
      callback(null, usable[0]!.address, usable[0]!.family);
    });
  };
}
