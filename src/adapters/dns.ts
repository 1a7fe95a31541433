/**
 * TXT lookups for domain verification (D3) through Node's resolver; DNS_SERVERS overrides the
 * system resolvers (tests point it at a DNS server on loopback).
 */
import { Resolver } from 'node:dns/promises';
import { DomainError } from '../errors.js';

export interface TxtLookup {
  /** TXT records of `name`, each as its character-string chunks; [] when the name has none. */
  resolveTxt(name: string): Promise<string[][]>;
}

const ABSENT = new Set(['ENOTFOUND', 'ENODATA', 'ENONAME', 'NXDOMAIN']);

export function createTxtLookup(servers: readonly string[], timeoutMs = 3000): TxtLookup {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  if (servers.length > 0) resolver.setServers([...servers]);
  return {
    async resolveTxt(name) {
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
