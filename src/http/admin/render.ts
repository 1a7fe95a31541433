/**
 * Rendering of the Admin Center's pages: eta templates (output escaped by default: `<%= %>`),
 * one layout, and the security headers every page carries. The Content-Security-Policy allows
 * scripts and styles only as files from Orgward itself (`/admin/assets/…`): no inline script or
 * style, nothing from elsewhere.
 */
import { fileURLToPath } from 'node:url';
import type { Response } from 'express';
import { Eta } from 'eta';

/** Templates and static files live beside this module (scripts/build.mjs copies them to dist/). */
export const VIEWS_DIR = fileURLToPath(new URL('./views', import.meta.url));
export const ASSETS_DIR = fileURLToPath(new URL('./assets', import.meta.url));

/** The policy of every Admin Center page. */
export const ADMIN_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
  + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

// Templates are compiled once and cached (they are files shipped with the build).
const eta = new Eta({ views: VIEWS_DIR, cache: true, autoEscape: true, autoTrim: false, useWith: false });

/** A navigation entry; shown only to roles that may open it. */
export interface NavItem { readonly href: string; readonly label: string; readonly current: boolean }

/** What the layout needs besides the page's own data. */
export interface LayoutData {
  readonly title: string;
  readonly nav: readonly NavItem[];
  readonly who: { readonly email: string; readonly roleLabel: string; readonly orgName: string | null } | null;
  readonly csrf: string;
  readonly notice?: string | undefined;
  /** The header's brand: the Admin Center's (default), or a setup link's, which links nowhere. */
  readonly home?: { readonly label: string; readonly href: string | null };
}

/**
 * Referrer-Policy of a page: same-origin in the Admin Center; no-referrer on a setup link's pages,
 * whose URL holds the link's secret (a form there posts `Origin: null`, and the CSRF token decides).
 */
export type ReferrerPolicy = 'same-origin' | 'no-referrer';

/** Sets the headers of an Admin Center response (pages, CSV, redirects alike). */
export function adminHeaders(res: Response, referrerPolicy: ReferrerPolicy = 'same-origin'): Response {
  return res
    .set('Cache-Control', 'no-store')
    .set('X-Frame-Options', 'DENY')
    // same-origin: our own form posts carry our Origin (no-referrer would make it `null`); no link
    // leaves the Admin Center with a referrer.
    .set('Referrer-Policy', referrerPolicy)
    .set('X-Content-Type-Options', 'nosniff')
    .set('Content-Security-Policy', ADMIN_CSP);
}

/** Renders `view` inside the layout and sends it. */
export function sendView(res: Response, status: number, view: string, layout: LayoutData, data: Record<string, unknown> = {}, referrerPolicy: ReferrerPolicy = 'same-origin'): void {
  const body = eta.render(`./${view}`, { ...data, layout });
  adminHeaders(res, referrerPolicy).status(status).type('html').send(body);
}
