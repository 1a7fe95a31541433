/**
 * Validation of what an administrator gives when adding an SSO connection: absolute https URLs
 * (plain http only for a loopback test IdP, when asked for), bounded text, and PEM certificates
 * carrying RSA keys of at least 2048 bits. Each refusal is invalid_input naming the field.
 */
import { X509Certificate } from 'node:crypto';
import { DomainError } from '../errors.js';

const isLoopback = (host: string): boolean => host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);

/** An absolute http(s) URL; plain http only when `allowHttp` and the host is a loopback address. */
export function checkUrl(value: unknown, field: string, allowHttp: boolean): string {
  const raw = typeof value === 'string' ? value.trim() : '';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DomainError('invalid_input', `${field} must be an absolute https:// URL.`, { details: { field } });
  }
  const httpOk = url.protocol === 'http:' && allowHttp && isLoopback(url.hostname);
  if ((url.protocol !== 'https:' && !httpOk) || url.username || url.password || url.hash || raw.length > 2048) {
    throw new DomainError('invalid_input', `${field} must be an https:// URL without credentials or fragment.`, { details: { field } });
  }
  return raw;
}

export function checkText(value: unknown, field: string, max = 1024): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '' || text.length > max || /[\u0000-\u001f]/.test(text)) {
    throw new DomainError('invalid_input', `${field} is required (at most ${max} characters).`, { details: { field } });
  }
  return text;
}

/** Parses PEM certificates; refuses anything but RSA keys of 2048 bits or more. */
export function checkCertificates(pems: readonly unknown[]): string[] {
  if (!Array.isArray(pems) || pems.length === 0 || pems.length > 5) {
    throw new DomainError('invalid_input', 'Give one to five IdP signing certificates (PEM).', { details: { field: 'certificates' } });
  }
  return pems.map((pem, i) => {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(String(pem));
    } catch (cause) {
      throw new DomainError('invalid_input', `Certificate ${i + 1} is not a PEM X.509 certificate.`, { cause, details: { field: 'certificates' } });
    }
    const key = cert.publicKey;
    if (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
      throw new DomainError('invalid_input', `Certificate ${i + 1} must carry an RSA key of at least 2048 bits.`, { details: { field: 'certificates' } });
    }
    return cert.toString();
  });
}
