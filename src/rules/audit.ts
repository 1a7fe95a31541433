/**
 * What may go into an audit entry's before and after values: never a secret.
 *
 * Rules: L1 (every change records who, what, when and before/after in the organization's audit
 * log; reads are not logged; secrets never are), C4 (account hand-overs are recorded).
 */

/** Keys whose values are secrets and never reach the audit log. */
export const SECRET_KEY_PATTERN = /password|secret|token|hash|key/i;

/** A JSON-safe value with secrets removed. */
export type AuditValue = null | boolean | number | string | readonly AuditValue[] | { readonly [key: string]: AuditValue };

/**
 * L1: a copy of `value` without secret properties, JSON-safe: every property whose key matches
 * {@link SECRET_KEY_PATTERN} is removed at any depth; dates become ISO strings, undefined becomes
 * null, functions and symbols are dropped, and a cycle is cut.
 */
export function redactSecrets(value: unknown): AuditValue {
  return redact(value, new WeakSet());
}

function redact(value: unknown, seen: WeakSet<object>): AuditValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  let out: AuditValue;
  if (Array.isArray(value)) {
    out = value.map((item: unknown) => redact(item, seen));
  } else {
    const copy: Record<string, AuditValue> = {};
    for (const [key, item] of Object.entries(value)) {
      if (SECRET_KEY_PATTERN.test(key) || typeof item === 'function' || typeof item === 'symbol') continue;
      copy[key] = redact(item, seen);
    }
    out = copy;
  }
  seen.delete(value);
  return out;
}
