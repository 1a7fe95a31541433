/**
 * The small server-rendered pages of sign-in: every value is escaped, pages are never cached or
 * framed, and the referrer (which may carry a link's token) is never sent on.
 */
import type { Response } from 'express';

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Tagged template: interpolated values are escaped unless wrapped in {@link raw}. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Raw {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += (Array.isArray(v) ? v.map(part).join('') : part(v)) + (strings[i + 1] ?? '');
  });
  return new Raw(out);
}

export class Raw {
  constructor(readonly value: string) {}
  toString(): string { return this.value; }
}

/** Trusted markup (already escaped). */
export const raw = (value: string): Raw => new Raw(value);
const part = (v: unknown): string => (v instanceof Raw ? v.value : escapeHtml(v));

const STYLE = 'body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222}'
  + 'label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.5rem;box-sizing:border-box}'
  + 'button{margin-top:1rem;padding:.5rem 1.2rem}.error{border-left:4px solid #b00;padding:.5rem 1rem;background:#fee}'
  + 'code{background:#f4f4f4;padding:.1rem .3rem;word-break:break-all}small{color:#666}';

/** Sends a complete page with the security headers every sign-in page carries. */
export function sendPage(res: Response, status: number, title: string, body: Raw): void {
  res.status(status)
    .set('Content-Type', 'text/html; charset=utf-8')
    .set('Cache-Control', 'no-store')
    .set('X-Frame-Options', 'DENY')
    .set('Referrer-Policy', 'no-referrer')
    .set('X-Content-Type-Options', 'nosniff')
    .set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'")
    .send(`<!doctype html>${html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · Orgward</title><style>${raw(STYLE)}</style></head><body><h1>${title}</h1>${body}</body></html>`.value}`);
}

/** A hidden CSRF field for a form. */
export const csrfField = (token: string): Raw => html`<input type="hidden" name="_csrf" value="${token}">`;
