/**
 * What a page behind a mailed link shows first: the link works, or why it does not and what to
 * do next (issue 9: a used or expired link says so at once, never the form).
 *
 * Rules: U3 (reset links: single use, 24 hours), A3 (account import confirmation), M1 (merge
 * invitation), D6/O1 (sign-up verification), and invitation links (single use, 7 days).
 */

/** The state of a single-use link. `withdrawn`: it was replaced, revoked or its request ended. */
export type LinkState = 'live' | 'used' | 'expired' | 'withdrawn' | 'unknown';

/** A stored single-use link, as far as its state goes. */
export interface StoredLink {
  readonly expiresAt: Date;
  readonly usedAt: Date | null;
  readonly revokedAt?: Date | null;
}

/** The state of `link` at `now` (undefined: no such link). Used wins over expired: it happened first. */
export function decideLinkState(link: StoredLink | undefined, now: Date): LinkState {
  if (link === undefined) return 'unknown';
  if (link.usedAt !== null) return 'used';
  if (link.revokedAt !== undefined && link.revokedAt !== null) return 'withdrawn';
  if (link.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'live';
}

/** The kinds of link Orgward mails. */
export type MailedLink = 'password_reset' | 'invitation' | 'merge' | 'account_import' | 'signup';

/** What to tell the person holding a link that no longer works: what happened, what to do. */
export interface DeadLinkAdvice {
  readonly title: string;
  readonly message: string;
  /** Where the next step starts (a page of this service), if there is one. */
  readonly nextPath: string | null;
  readonly nextLabel: string | null;
}

const HAPPENED: Record<Exclude<LinkState, 'live'>, string> = {
  used: 'This link was already used.',
  expired: 'This link has expired.',
  withdrawn: 'This link no longer works: it was replaced by a newer one or withdrawn.',
  unknown: 'This link is not valid. Check that you copied the whole address from the email.',
};

const NEXT: Record<MailedLink, Omit<DeadLinkAdvice, 'title' | 'message'> & { readonly step: string; readonly title: string }> = {
  password_reset: {
    title: 'Reset link not valid', step: 'Request a new reset link: each link works once, for 24 hours.',
    nextPath: '/password-reset', nextLabel: 'Request a new reset link',
  },
  invitation: {
    title: 'Invitation link not valid',
    step: 'If you already accepted it, sign in. Otherwise ask your administrator for a new invitation.',
    nextPath: '/login', nextLabel: 'Sign in',
  },
  merge: {
    title: 'Merge link not valid',
    step: 'Ask an administrator of the organization that invited you to send a new merge invitation.',
    nextPath: null, nextLabel: null,
  },
  account_import: {
    title: 'Confirmation link not valid',
    step: 'If the organization still wants to manage your account, ask its administrator to request the import again.',
    nextPath: null, nextLabel: null,
  },
  signup: {
    title: 'Sign-up link not valid', step: 'Start again: enter your email and we send you a new link.',
    nextPath: '/signup', nextLabel: 'Sign up again',
  },
};

/** The advice for a dead link of kind `kind` in state `state`. */
export function adviseDeadLink(kind: MailedLink, state: Exclude<LinkState, 'live'>): DeadLinkAdvice {
  const next = NEXT[kind];
  const used = kind === 'invitation' && state === 'used' ? 'This invitation was already accepted.' : HAPPENED[state];
  return { title: next.title, message: `${used} ${next.step}`, nextPath: next.nextPath, nextLabel: next.nextLabel };
}
