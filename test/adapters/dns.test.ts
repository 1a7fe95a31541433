/**
 * The TXT lookup adapter (D3) against a real DNS server on loopback: records come back as their
 * character-string chunks, absent names as [], server failures as dns_lookup_failed.
 */
import { createTxtLookup, parseDnsServer } from '../../src/adapters/dns.js';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.js';

let dns: TestDnsServer;
beforeAll(async () => { dns = await startDnsServer(); });
afterAll(async () => { await dns.close(); });

describe('TXT lookup over DNS_SERVERS', () => {
  it('R-D3: returns every TXT record of a name, each as its chunks', async () => {
    dns.publish('_orgward-verification.a.test', 'orgward-verification=abc');
    dns.publish('_orgward-verification.a.test', ['x'.repeat(255), 'y'.repeat(10)]);
    const records = await createTxtLookup([dns.address]).resolveTxt('_orgward-verification.a.test');
    expect(records).toHaveLength(2);
    expect(records).toEqual(expect.arrayContaining([['orgward-verification=abc'], ['x'.repeat(255), 'y'.repeat(10)]]));
  });

  it('answers a name in any case', async () => {
    dns.publish('_case.b.test', 'value');
    await expect(createTxtLookup([dns.address]).resolveTxt('_CASE.B.TEST')).resolves.toEqual([['value']]);
  });

  it('returns [] for a name without records (NXDOMAIN)', async () => {
    await expect(createTxtLookup([dns.address]).resolveTxt('_absent.c.test')).resolves.toEqual([]);
  });

  it('retries a truncated answer over TCP and gets all of it', async () => {
    for (let i = 0; i < 8; i += 1) dns.publish('_big.d.test', [`${i}`.repeat(255), 'z'.repeat(200)]);
    await expect(createTxtLookup([dns.address]).resolveTxt('_big.d.test')).resolves.toHaveLength(8);
  });

  it('reports dns_lookup_failed when the server fails (SERVFAIL)', async () => {
    dns.publish('_fail.e.test', 'value');
    dns.failAll(true);
    try {
      await expect(createTxtLookup([dns.address]).resolveTxt('_fail.e.test')).rejects.toMatchObject({ code: 'dns_lookup_failed', kind: 'unavailable' });
    } finally {
      dns.failAll(false);
    }
  });

  it('reports dns_lookup_failed when no server answers', async () => {
    const closed = await startDnsServer();
    const address = closed.address;
    await closed.close();
    await expect(createTxtLookup([address], 300).resolveTxt('_none.f.test')).rejects.toMatchObject({ code: 'dns_lookup_failed' });
  });

  it('accepts a host name in DNS_SERVERS (localhost:port), looking it up before the first query', async () => {
    dns.publish('_named.g.test', 'by-name');
    const port = dns.address.split(':').pop();
    await expect(createTxtLookup([`localhost:${port}`]).resolveTxt('_named.g.test')).resolves.toEqual([['by-name']]);
  });

  it('parses every form of DNS_SERVERS entry', () => {
    expect(parseDnsServer('127.0.0.1')).toEqual({ host: '127.0.0.1', port: undefined });
    expect(parseDnsServer('127.0.0.1:5353')).toEqual({ host: '127.0.0.1', port: 5353 });
    expect(parseDnsServer('::1')).toEqual({ host: '::1', port: undefined });
    expect(parseDnsServer('[::1]:5353')).toEqual({ host: '::1', port: 5353 });
    expect(parseDnsServer('localhost:5353')).toEqual({ host: 'localhost', port: 5353 });
    expect(parseDnsServer('dns.internal')).toEqual({ host: 'dns.internal', port: undefined });
  });
});
