/** Twilio-style SIDs: a two-letter prefix and 32 lowercase hex digits. */
import { randomBytes } from 'node:crypto';

/** Organizations, users, accounts, and setup links (SL: issue 11). */
export type SidPrefix = 'OR' | 'US' | 'AC' | 'SL';

export const newSid = (prefix: SidPrefix): string => prefix + randomBytes(16).toString('hex');

export const isSidOf = (prefix: SidPrefix, value: unknown): value is string =>
  typeof value === 'string' && value.length === 34 && value.startsWith(prefix) && /^[0-9a-f]{32}$/.test(value.slice(2));

/** A UUID as PostgreSQL's gen_random_uuid() writes it (any case): ids of domains, invitations, merges, SCIM groups, tokens, connections. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
