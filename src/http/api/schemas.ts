/**
 * Schemas shared by the resource groups: SIDs, Twilio's paging parameters and envelope.
 */
import { z } from 'zod';
import { DomainError } from '../../errors.js';

const sid = (prefix: string, what: string) => z.string().regex(new RegExp(`^${prefix}[0-9a-f]{32}$`), `must be ${what} SID: ${prefix} and 32 lowercase hex digits`)
  .meta({ example: `${prefix}${'0'.repeat(32)}` });

export const OrganizationSid = sid('OR', 'an organization');
export const AccountSid = sid('AC', 'an account');
export const UserSid = sid('US', 'a user');

/** Twilio's paging query parameters. */
export const twilioPaging = {
  PageSize: z.coerce.number().int().min(1).max(1000).default(50).describe('How many resources per page (1-1000, default 50).'),
  PageToken: z.string().max(200).optional().describe('The token of the page to fetch, from meta.next_page_url.'),
};

/** Twilio's page envelope: `content` and `meta` (twilio_iam_organizations.json, PublicApi…ResponsePage). */
export function twilioPage<T extends z.ZodType>(item: T) {
  return z.object({
    content: z.array(item),
    meta: z.object({
      first_page_url: z.string(),
      key: z.literal('content'),
      next_page_url: z.string().nullable(),
      page: z.number().int(),
      page_size: z.number().int(),
      previous_page_url: z.string().nullable(),
      url: z.string(),
    }),
  });
}

/**
 * One page of an already ordered, bounded list, in Twilio's envelope. The PageToken is the SID of
 * the last resource of the previous page (position-independent, so an insertion does not repeat
 * or skip items on the next page).
 */
export function pageOf<T extends { sid: string }, R>(items: readonly T[], query: { PageSize: number; PageToken?: string | undefined }, url: string, map: (item: T) => R) {
  return pageByKey(items, query, url, map, (i) => i.sid, /^[A-Z]{2}[0-9a-f]{32}$/);
}

/**
 * {@link pageOf} for resources keyed by something else than a SID (a domain name): `items` are
 * ordered by `keyOf` ascending (JavaScript string order), and a PageToken must match `tokenShape`.
 */
export function pageByKey<T, R>(
  items: readonly T[], query: { PageSize: number; PageToken?: string | undefined }, url: string, map: (item: T) => R,
  keyOf: (item: T) => string, tokenShape: RegExp,
) {
  const size = query.PageSize;
  let start = 0;
  if (query.PageToken !== undefined) {
    const after = Buffer.from(query.PageToken, 'base64url').toString('utf8');
    if (!tokenShape.test(after)) throw new DomainError('invalid_input', 'PageToken is not one this API issued; follow meta.next_page_url or leave it out for the first page.');
    const index = items.findIndex((i) => keyOf(i) > after);
    start = index === -1 ? items.length : index;
  }
  const slice = items.slice(start, start + size);
  const link = (token: string | undefined) => `${url}?PageSize=${size}${token ? `&PageToken=${Buffer.from(token).toString('base64url')}` : ''}`;
  const hasNext = start + size < items.length;
  const previousStart = start - size;
  return {
    content: slice.map(map),
    meta: {
      first_page_url: link(undefined),
      key: 'content' as const,
      next_page_url: hasNext ? link(keyOf(slice[slice.length - 1]!)) : null,
      page: Math.floor(start / size),
      page_size: size,
      previous_page_url: start === 0 ? null : link(previousStart <= 0 ? undefined : keyOf(items[previousStart - 1]!)),
      url: link(query.PageToken === undefined ? undefined : Buffer.from(query.PageToken, 'base64url').toString('utf8')),
    },
  };
}
