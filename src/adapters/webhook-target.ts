/**
 * Webhook targets and the HTTP POST of a delivery (issue 13). SSRF: a target that resolves to a
 * loopback, private, link-local or otherwise non-public address is refused unless the operator
 * allows private targets (WEBHOOK_ALLOW_PRIVATE_TARGETS). The check (address-guard.ts) runs when
 * an endpoint is added and again inside the connection's own DNS lookup at delivery, so the
 * address connected to is the address checked (DNS rebinding is refused).
 */
import http from 'node:http';
import https from 'node:https';
import { DomainError } from '../errors.js';
import { checkHost, guardedLookup, hostOf, literalRefusal } from './address-guard.js';

export { nonPublicRange } from './address-guard.js';

/** Checks a target URL's form (http or https, no credentials); throws invalid_input. */
export function parseTargetUrl(value: string): URL {
  let url: URL;
  try { url = new URL(value); } catch { throw new DomainError('invalid_input', 'The webhook URL is not a URL; give an absolute https:// URL.'); }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new DomainError('invalid_input', 'A webhook URL is http:// or https://.');
  if (url.username !== '' || url.password !== '') throw new DomainError('invalid_input', 'A webhook URL carries no user name or password; the signature authenticates deliveries.');
  if (value.length > 2000) throw new DomainError('invalid_input', 'A webhook URL is at most 2,000 characters.');
  return url;
}

const refused = (host: string, address: string, range: string) => new DomainError('webhook_target_refused',
  `${host} resolves to ${address} (${range}); webhooks go to public addresses only. An operator can allow private targets with WEBHOOK_ALLOW_PRIVATE_TARGETS=true.`);

/** Resolves the URL's host and refuses non-public addresses (unless allowed). */
export async function checkTarget(value: string, allowPrivate: boolean): Promise<void> {
  const url = parseTargetUrl(value);
  const host = hostOf(url);
  await checkHost(host, allowPrivate, refused, () => new DomainError('invalid_input', `The webhook host ${host} does not resolve.`));
}

export interface DeliveryResponse {
  readonly status: number | null;
  readonly retryAfter: string | null;
  readonly error: string | null;
}

export interface WebhookSender {
  send(url: string, headers: Record<string, string>, body: string, signal?: AbortSignal): Promise<DeliveryResponse>;
  close(): void;
}

/** A target as a request needs it, parsed once per URL; or why it is refused. */
type Target = { readonly https: boolean; readonly options: http.RequestOptions } | { readonly refusal: string };

/** POSTs deliveries over kept-alive connections; never throws (a failure is a response of null status). */
export function createWebhookSender(options: { allowPrivate: boolean; timeoutMs?: number }): WebhookSender {
  const lookup = guardedLookup(options.allowPrivate, refused);
  const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 64 }), https: new https.Agent({ keepAlive: true, maxSockets: 64 }) };
  const timeoutMs = options.timeoutMs ?? 10_000;
  // One endpoint's deliveries go out back to back: parse its URL once, not per request.
  const targets = new Map<string, Target>();
  const targetOf = (value: string): Target => {
    let target = targets.get(value);
    if (target) return target;
    try {
      const url = parseTargetUrl(value);
      const host = hostOf(url);
      // A literal IP skips DNS (and so the guarded lookup): check it here.
      const literal = literalRefusal(url, options.allowPrivate, refused);
      const isHttps = url.protocol === 'https:';
      target = literal !== null ? { refusal: literal.message } : {
        https: isHttps,
        options: {
          // As Node's own URL-to-options conversion: IPv6 without brackets, the scheme's port when none is given.
          protocol: url.protocol, hostname: host, ...(url.port !== '' && { port: Number(url.port) }), path: `${url.pathname}${url.search}`,
          method: 'POST', agent: isHttps ? agents.https : agents.http, lookup, timeout: timeoutMs,
        },
      };
    } catch (error) {
      target = { refusal: (error as Error).message };
    }
    if (targets.size >= 1000) targets.clear();
    targets.set(value, target);
    return target;
  };
  return {
    send(url, headers, body, signal) {
      return new Promise((resolve) => {
        const target = targetOf(url);
        if ('refusal' in target) { resolve({ status: null, retryAfter: null, error: target.refusal }); return; }
        const req = (target.https ? https : http).request({
          ...target.options, ...(signal && { signal }),
          headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'Orgward-Webhooks/1' },
        }, (res) => {
          // The body is not needed (only the status is logged); drain it so the socket is reused.
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? null, retryAfter: (res.headers['retry-after'] as string | undefined) ?? null, error: null }));
          res.on('error', (error) => resolve({ status: res.statusCode ?? null, retryAfter: null, error: error.message }));
        });
        req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        req.on('error', (error) => resolve({ status: null, retryAfter: null, error: error.message.slice(0, 500) }));
        req.end(body);
      });
    },
    close() { agents.http.destroy(); agents.https.destroy(); },
  };
}
