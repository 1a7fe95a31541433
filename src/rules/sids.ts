/**
 * SID shapes: two-letter prefix plus 32 lowercase hex digits.
 *
 * Rules: the Terms of DOMAIN.md (organizations 'OR', users 'US', accounts 'AC').
 */

/** SID prefixes by resource. */
export const SID_PREFIXES = { organization: 'OR', user: 'US', account: 'AC' } as const;

/** One of the SID prefixes. */
export type SidPrefix = (typeof SID_PREFIXES)[keyof typeof SID_PREFIXES];

const SID_BODY = /^[0-9a-f]{32}$/;

/**
 * True when `value` is a SID with this prefix: e.g. 'AC' followed by exactly 32 lowercase hex digits.
 * Upper-case hex, whitespace or another prefix are refused: SIDs are compared byte for byte.
 */
export function isSid(prefix: SidPrefix, value: unknown): value is string {
  return typeof value === 'string'
    && value.length === 34
    && value.startsWith(prefix)
    && SID_BODY.test(value.slice(2));
}
