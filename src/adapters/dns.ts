/**
 * TXT lookups for domain verification (D3) through Node's resolver; DNS_SERVERS overrides the
 * system resolvers (tests point it at a DNS server on loopback). Node's resolver takes only IP
 * addresses, so entries naming a host (`localhost:5353`, `dns.internal`) are resolved to addresses
 * through the system's name lookup before the first query (and again after a failure).
 */
import { lookup } from 'node:dns/promises';
import { Resolver } from 'node:dns/promises';
import net from 'node:net';
import { DomainError } from '../errors.js';

export interface TxtLookup {
  /** TXT records of `name`, each as its character-string chunks; [] when the name has none. */
  resolveTxt(name: string): Promise<string[][]>;
}

const ABSENT = new Set(['ENOTFOUND', 'ENODATA', 'ENONAME', 'NXDOMAIN']);

/** Splits a DNS_SERVERS entry (`host`, `host:port`, `ip`, `ip:port`, `[ipv6]:port`). */
export function parseDnsServer(entry: string): { host: string; port: number | undefined } {
  if (net.isIP(entry)) return { host: entry, port: undefined };
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] ? Number(bracketed[2]) : undefined };
  const at = entry.lastIndexOf(':');
  return at < 0 ? { host: entry, port: undefined } : { host: entry.slice(0, at), port: Number(entry.slice(at + 1)) };
}

/** The entry as Node's resolver wants it: an IP address (with its port), the host looked up if needed. */
async function toResolverAddresses(entry: string): Promise<string[]> {
  const { host, port } = parseDnsServer(entry);
  const format = (ip: string) => (port === undefined ? ip : net.isIPv6(ip) ? `[${ip}]:${port}` : `${ip}:${port}`);
  if (net.isIP(host)) return [format(host)];
  let found: { address: string; family: number }[];
  try {
    found = await lookup(host, { all: true });
  } catch (error) {
    throw new DomainError('dns_lookup_failed',
      `DNS_SERVERS names "${host}", which does not resolve to an address (${(error as { code?: string }).code ?? 'error'}); use an IP address or a resolvable host name.`,
      { cause: error });
  }
  // IPv4 first: a loopback DNS server usually listens on 127.0.0.1 even where localhost is ::1 first.
  return found.sort((a, b) => a.family - b.family).map((a) => format(a.address));
}

export function createTxtLookup(servers: readonly string[], timeoutMs = 3000): TxtLookup {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  let configured: Promise<void> | undefined = servers.length === 0 ? Promise.resolve() : undefined;
  const configure = (): Promise<void> => {
    configured ??= Promise.all(servers.map(toResolverAddresses)).then((lists) => resolver.setServers(lists.flat()));
    // A host that did not resolve is looked up again by the next query.
    configured.catch(() => { configured = undefined; });
    return configured;
  };
  return {
    async resolveTxt(name) {
      await configure();
      try {
        return await resolver.resolveTxt(name);
      } catch (error) {
        const code = (error as { code?: string }).code ?? '';
        if (ABSENT.has(code)) return [];
        throw new DomainError('dns_lookup_failed', `The DNS lookup for ${name} failed (${code || 'error'}); try again later.`, { cause: error });
      }
    },
  };
}
