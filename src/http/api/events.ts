/**
 * Lifecycle event feeds (issue 13): `GET /v1/Events` (the operator credential: every
 * organization's events, optionally one organization's) and `GET /Organizations/{sid}/Events`
 * (that organization's Owner, Administrators and API clients). Cursor paging: pass the page's
 * `next` as `after`; a cursor never skips an event (positions are given after commit, in order).
 */
import { z } from 'zod';
import type { Services } from '../../services/index.js';
import { MAX_EVENT_PAGE, type EventPage, type EventRecord } from '../../services/events.js';
import { defineRoute, type ApiRoute } from './registry.js';
import { OrganizationSid } from './schemas.js';

const TAGS = ['Events'];

export const EventResource = z.object({
  id: z.string().describe('EV…: also the webhook-id of every delivery of this event.'),
  type: z.string().describe('user.created, user.suspended, membership.role_changed, role_assignment.created, account.closed, domain.verified, …'),
  time: z.iso.datetime(),
  organization: z.string(),
  actor: z.string().describe('A user SID, api:<client id>, scim:<token id>, operator or system.'),
  data: z.object({ action: z.string(), target: z.string().nullable(), before: z.unknown(), after: z.unknown() }),
});

const Page = z.object({ events: z.array(EventResource), next: z.string().describe('Pass as after= to read on (the same when nothing was new).') });

const feedQuery = {
  after: z.string().max(20).optional().describe('The cursor of the previous page (its next); omit to start at the oldest event kept.'),
  types: z.union([z.string(), z.array(z.string())]).optional().describe('Comma-separated event types; user.* for a family.'),
  limit: z.coerce.number().int().min(1).max(MAX_EVENT_PAGE).default(100).describe(`Events per page (1-${MAX_EVENT_PAGE}, default 100).`),
};

const typesOf = (types: string | string[] | undefined) =>
  types === undefined ? undefined : (Array.isArray(types) ? types : [types]).flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean);

export const eventResource = (e: EventRecord): z.infer<typeof EventResource> => ({
  id: e.id, type: e.type, time: e.time.toISOString(), organization: e.organization, actor: e.actor, data: e.data,
});
const pageBody = (p: EventPage) => ({ events: p.events.map(eventResource), next: p.next });

export function eventRoutes(services: Services): ApiRoute[] {
  return [
    defineRoute({
      method: 'get', path: '/v1/Events', summary: 'Every organization\'s events, oldest first (operator credential)', tags: TAGS,
      auth: 'principal', access: 'operator:read', errors: 'orgward',
      query: z.strictObject({ ...feedQuery, organization: OrganizationSid.optional().describe('Only this organization\'s events.') }),
      responses: { 200: { description: 'A page of events', schema: Page }, 403: { description: 'Not the operator' } },
      async handler({ query, principal }) {
        const page = await services.events.feed(principal.actor, { scope: 'product', orgSid: query.organization, after: query.after, types: typesOf(query.types), limit: query.limit });
        return { status: 200, body: pageBody(page) };
      },
    }),
    defineRoute({
      method: 'get', path: '/Organizations/{OrganizationSid}/Events', summary: 'The organization\'s events, oldest first', tags: TAGS,
      auth: 'principal', access: 'admin:read', errors: 'orgward', params: z.strictObject({ OrganizationSid }), query: z.strictObject(feedQuery),
      responses: { 200: { description: 'A page of events', schema: Page } },
      async handler({ params, query, principal }) {
        const page = await services.events.feed(principal.actor, { scope: 'organization', orgSid: params.OrganizationSid, after: query.after, types: typesOf(query.types), limit: query.limit });
        return { status: 200, body: pageBody(page) };
      },
    }),
  ];
}
