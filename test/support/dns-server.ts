/**
 * A real DNS server on loopback (dns2) for domain verification tests (D3): it answers TXT queries
 * from a map the test changes at will (publish / withhold), over UDP and TCP on the same port, so
 * large answers that arrive truncated over UDP are retried over TCP by the resolver (RFC 7766).
 */
import dns2 from 'dns2';

const { Packet } = dns2;

export interface TestDnsServer {
  /** `host:port`, as `createTestContext({ dnsServers: [address] })` and DNS_SERVERS expect. */
  readonly address: string;
  /**
   * Publishes a TXT record at `name` (adds to what is there). A string is one character-string;
   * an array is one record made of several character-strings (chunks of at most 255 octets).
   */
  publish(name: string, value: string | readonly string[]): void;
  /** Removes every TXT record at `name` (the name then answers NXDOMAIN). */
  withhold(name: string): void;
  /** Makes every query fail with SERVFAIL (true) or answer normally again (false). */
  failAll(fail: boolean): void;
  /** How many queries arrived for `name` (case-insensitive). */
  queries(name: string): number;
  close(): Promise<void>;
}

// RFC 1035 4.1.1 response codes.
const SERVFAIL = 2;
const NXDOMAIN = 3;

const key = (name: string): string => name.toLowerCase().replace(/\.$/, '');

/** Starts the server on 127.0.0.1, port chosen by the system. */
export async function startDnsServer(): Promise<TestDnsServer> {
  const records = new Map<string, string[][]>();
  const counts = new Map<string, number>();
  let failing = false;

  const handle = (request: dns2.Packet, send: (response: dns2.Packet) => Promise<Buffer>): void => {
    const response = Packet.createResponseFromRequest(request);
    const [question] = request.questions;
    if (!question) { void send(response); return; }
    const name = key(question.name);
    counts.set(name, (counts.get(name) ?? 0) + 1);
    const txt = records.get(name);
    if (failing || !txt) {
      response.header.rcode = failing ? SERVFAIL : NXDOMAIN;
    } else if (question.type === Packet.TYPE.TXT) {
      for (const data of txt) {
        response.answers.push({ name: question.name, type: Packet.TYPE.TXT, class: Packet.CLASS.IN, ttl: 1, data } as unknown as dns2.Packet.Resource);
      }
    }
    void send(response);
  };
  let udp = dns2.createUDPServer(handle);
  const tcp = dns2.createTCPServer(handle);
  // UDP first on port 0, then TCP on the same port so that a truncated answer can be retried.
  // That TCP port may already be some outbound connection's (a database socket, say): then
  // both are let go and another UDP port is tried, so a busy machine never fails the test file.
  let port = 0;
  for (let attempt = 1; port === 0; attempt++) {
    if (attempt > 1) udp = dns2.createUDPServer(handle); // a closed UDP socket cannot bind again
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(0, '127.0.0.1', () => { udp.off('error', reject); resolve(); });
    });
    const candidate = udp.address().port;
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(candidate, '127.0.0.1', () => { tcp.off('error', reject); resolve(); });
      });
      port = candidate;
    } catch (err) {
      await new Promise<void>((resolve) => { udp.close(() => resolve()); });
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 20) throw err;
    }
  }

  return {
    address: `127.0.0.1:${port}`,
    publish(name, value) {
      const list = records.get(key(name)) ?? [];
      list.push(typeof value === 'string' ? [value] : [...value]);
      records.set(key(name), list);
    },
    withhold(name) {
      records.delete(key(name));
    },
    failAll(fail) {
      failing = fail;
    },
    queries(name) {
      return counts.get(key(name)) ?? 0;
    },
    async close() {
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    },
  };
}
