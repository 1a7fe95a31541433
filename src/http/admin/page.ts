/**
 * One Admin Center route: its method, path, the O3 action a role needs to open it (or 'self':
 * any signed-in user, for their own profile and accounts), and a handler that returns what to
 * show. The table of routes is what the router mounts and what the tests walk (every route a
 * Standard User may not open answers 403).
 */
import type { Request, Response } from 'express';
import type { Action } from '../../rules/roles.js';
import type { Services } from '../../services/index.js';
import type { SignedIn } from '../../services/sessions.js';
import type { Actor, Role } from '../../types.js';
import type { MemberSnapshot } from '../../rules/types.js';

/** Who is looking, as every handler sees it. */
export interface PageContext {
  readonly req: Request;
  readonly res: Response;
  readonly services: Services;
  readonly baseUrl: string;
  readonly who: SignedIn;
  /** The member's organization; null for a user outside every organization. */
  readonly orgSid: string | null;
  readonly role: Role | null;
  readonly actor: Actor;
  readonly csrf: string;
}

/** A page to render, a redirect after a change (POST-redirect-GET), or a response already sent. */
export type PageResult =
  | { readonly view: string; readonly title: string; readonly data?: Record<string, unknown>; readonly status?: number }
  | { readonly redirect: string }
  | { readonly sent: true };

export interface AdminRoute {
  readonly method: 'get' | 'post';
  /** Express path under /admin, e.g. '/users/:sid'. */
  readonly path: string;
  /** What the signed-in member's role must allow (rules/roles.ts, O3); 'self' for any signed-in user. */
  readonly action: Action | 'self';
  readonly handler: (c: PageContext) => Promise<PageResult>;
  /** For a form: the page to go back to when it fails (the error page links there). */
  readonly back?: (req: Request) => string;
}

/** The organization of an organization-management page (the guard ran: it is set). */
export const orgOf = (c: PageContext): string => c.orgSid!;

/** A form field as a trimmed string ('' when absent or not a string). */
export function formField(req: Request, name: string): string {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.trim() : '';
}

/** A query parameter as a trimmed string ('' when absent). */
export function queryField(req: Request, name: string): string {
  const value = req.query[name];
  return typeof value === 'string' ? value.trim() : '';
}

/** A route parameter (Express 5 gives strings for named parameters). */
export const param = (req: Request, name: string): string => String(req.params[name] ?? '');

/** The rules' view of the signed-in member (a session exists only while the member is active: suspension ends it). */
export const signedInSnapshot = (who: SignedIn): MemberSnapshot => ({
  userSid: who.userSid, orgSid: who.orgSid, role: who.role, email: who.email, status: 'active',
});
