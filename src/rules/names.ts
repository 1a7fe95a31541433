/**
 * Friendly names (accounts, organizations, people): trimmed, bounded, printable.
 *
 * Rules: A2 (an account has a name).
 */
import type { Invalid } from './decision.js';

// C0/C1 control characters and the bidi overrides that could disguise a name in the console.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

/** Result of {@link normaliseName}. */
export type NameNormalisation = { readonly ok: true; readonly name: string } | Invalid;

/**
 * Trims `input` and checks it has 1..`max` characters (code points) and nothing unprintable.
 * `what` names the field in the message, e.g. 'account name'.
 */
export function normaliseName(input: unknown, what: string, max: number): NameNormalisation {
  const name = typeof input === 'string' ? input.trim() : '';
  if (name === '') {
    return { ok: false, code: 'invalid_input', message: `Enter ${/^[aeiou]/i.test(what) ? 'an' : 'a'} ${what}.` };
  }
  if ([...name].length > max) {
    return { ok: false, code: 'invalid_input', message: `The ${what} can have at most ${max} characters; enter a shorter one.` };
  }
  if (UNPRINTABLE.test(name)) {
    return { ok: false, code: 'invalid_input', message: `The ${what} contains characters that cannot be displayed; use letters, digits, spaces and punctuation.` };
  }
  return { ok: true, name };
}
