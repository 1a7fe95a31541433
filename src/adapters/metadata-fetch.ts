/**
 * Fetches an IdP's SAML metadata from the URL an administrator (or a setup link's IT admin) gave
 * (issue 11, S1). The URL is someone else's choice, so the request is guarded as webhooks are
 * (address-guard.ts): https only, and no loopback, private or link-local address, unless the
 * operator allows private targets (then plain http too, for test IdPs); the address connected to
 * is the address checked. Redirects are followed at most 3 times, each hop checked again; the
 * body is bounded in size and the whole fetch in time. Every failure is a DomainError whose
 * message says what to do (most often: paste the metadata XML instead).
 */
import http from 'node:http';
import https from 'node:https';
import { DomainError } from '../errors.js';
import { guardedLookup, literalRefusal } from './address-guard.js';

export interface MetadataFetchOptions {
  /** Loopback, private and link-local addresses, and plain http, allowed (SSO_METADATA_ALLOW_PRIVATE_TARGETS). */
  readonly allowPrivate: boolean;
  /** The whole fetch, redirects included (default 5 s). */
  readonly timeoutMs?: number;
  /** Largest body accepted (default 1 MiB). */
  readonly maxBytes?: number;
}

const MAX_REDIRECTS = 3;
const PASTE = 'Download the metadata yourself and paste the XML (or drop the file) instead.';
const details = { field: 'metadata_url' };

const failed = (message: string) => new DomainError('metadata_fetch_failed', `IdP metadata URL: ${message} ${PASTE}`, { details });
const refused = (host: string, address: string, range: string) => new DomainError('metadata_url_refused',
  `IdP metadata URL: ${host} resolves to ${address} (${range}); metadata is fetched from public addresses only. ${PASTE} An operator can allow private addresses with SSO_METADATA_ALLOW_PRIVATE_TARGETS=true.`, { details });

/** Checks one hop's URL: a URL, https (http only when private targets are allowed), no credentials. */
function checkUrl(value: string, base: URL | undefined, allowPrivate: boolean): URL {
  let url: URL;
  try { url = new URL(value, base); } catch { throw new DomainError('invalid_input', 'IdP metadata URL: not a URL; give an absolute https:// URL.', { details }); }
  if (value.length > 2000) throw new DomainError('invalid_input', 'IdP metadata URL: at most 2,000 characters.', { details });
  const plainHttpAllowed = allowPrivate && url.protocol === 'http:';
  if (url.protocol !== 'https:' && !plainHttpAllowed) {
    throw new DomainError('metadata_url_refused', `IdP metadata URL: ${base ? 'redirected to ' : ''}${url.protocol}// is not accepted; give the https:// URL your IdP shows for its metadata.`, { details });
  }
  if (url.username !== '' || url.password !== '') throw new DomainError('invalid_input', 'IdP metadata URL: carries no user name or password; IdP metadata is public.', { details });
  const literal = literalRefusal(url, allowPrivate, refused);
  if (literal) throw literal;
  return url;
}

/** Why the host could not be fetched, in words for the form (the system code kept for support). */
function unreachable(url: URL, code: string): string {
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `${url.hostname} does not resolve; check the URL.`;
  if (code === 'ECONNREFUSED') return `${url.host} refused the connection; check the URL and port.`;
  // Node's TLS verification codes (self-signed, expired, wrong name, unknown issuer): the certificate is checked, never skipped.
  if (/CERT|SELF_SIGNED|ERR_TLS|UNABLE_TO_VERIFY/.test(code)) return `${url.host}'s TLS certificate is not trusted (${code}).`;
  return `could not reach ${url.host} (${code}).`;
}

type Hop = { kind: 'body'; text: string } | { kind: 'redirect'; location: string };

/** One GET through the guarded lookup: the body (bounded), or where it redirects to. */
function getOnce(url: URL, options: Required<MetadataFetchOptions>, signal: AbortSignal): Promise<Hop> {
  return new Promise((resolve, reject) => {
    const isHttps = url.protocol === 'https:';
    const req = (isHttps ? https : http).request(url, {
      method: 'GET', agent: false, signal, lookup: guardedLookup(options.allowPrivate, refused),
      headers: { accept: 'application/samlmetadata+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1', 'user-agent': 'Orgward-Metadata/1' },
    }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) { res.resume(); resolve({ kind: 'redirect', location: res.headers.location }); return; }
      if (status < 200 || status >= 300) { res.resume(); reject(failed(`${url.host} answered HTTP ${status}; check the URL.`)); return; }
      const declared = Number(res.headers['content-length'] ?? NaN);
      const tooLarge = () => failed(`the answer is larger than ${Math.round(options.maxBytes / 1024)} KiB, which no IdP's metadata needs; check the URL.`);
      if (declared > options.maxBytes) { res.destroy(); reject(tooLarge()); return; }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) { res.destroy(); reject(tooLarge()); return; }
        chunks.push(chunk);
      });
      res.on('end', () => resolve({ kind: 'body', text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (error) => reject(error));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The metadata document at `value` as text (not yet parsed: parseIdpMetadata reads it). */
export async function fetchIdpMetadata(value: string, options: MetadataFetchOptions): Promise<string> {
  const settings = { timeoutMs: 5000, maxBytes: 1024 * 1024, ...options };
  let url = checkUrl(value.trim(), undefined, settings.allowPrivate);
  const signal = AbortSignal.timeout(settings.timeoutMs);
  try {
    for (let hop = 0; ; hop += 1) {
      const answer = await getOnce(url, settings, signal);
      if (answer.kind === 'redirect') {
        if (hop >= MAX_REDIRECTS) throw failed(`more than ${MAX_REDIRECTS} redirects; give the final URL.`);
        url = checkUrl(answer.location, url, settings.allowPrivate);
        continue;
      }
      const text = answer.text.replace(/^\uFEFF/, '').trim();
      // A web page (a sign-in or error page) is not metadata, whatever its status said.
      if (!text.startsWith('<') || /^<(!DOCTYPE\s+html|html)[\s>]/i.test(text)) throw failed(`${url.host} did not answer with XML but with ${text.startsWith('<') ? 'a web page' : 'text'} (is it the metadata URL, not a sign-in page?).`);
      return text;
    }
  } catch (error) {
    if (error instanceof DomainError) throw error;
    if (signal.aborted) throw failed(`no complete answer within ${settings.timeoutMs / 1000} s.`);
    throw failed(unreachable(url, (error as NodeJS.ErrnoException).code ?? (error as Error).message));
  }
}
