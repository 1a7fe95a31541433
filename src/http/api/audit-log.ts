/**
 * The audit log over the API (L1): filter by actor, action, target and time range, cursor paging
 * (PageToken), and the CSV export streamed in constant memory (keyset batches written with the
 * response's back-pressure). Reading is view_audit (O3): the Owner, Administrators and API
 * clients, never a Standard User; another organization is 404. Orgward resource: Orgward errors.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import { z } from 'zod';
import { DomainError } from '../../errors.js';
import type { Services } from '../../services/index.js';
import { MAX_AUDIT_PAGE } from '../../services/audit-log.js';
import { AUDIT_CSV_HEADER, type AuditFilter } from '../../store/audit-log.js';
import type { Actor, AuditEntry } from '../../types.js';
import { defineRoute, type ApiRoute } from './registry.js';
import { OrganizationSid, twilioPage } from './schemas.js';

const TAGS = ['Audit log'];

export const AuditEntryResource = z.object({
  id: z.string(),
  actor: z.string().describe('Who: a user SID (US…), api:<client id>, scim:<token id>, operator or system.'),
  action: z.string(),
  target: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  request_id: z.string().nullable(),
  date_created: z.iso.datetime(),
});

const toResource = (e: AuditEntry): z.infer<typeof AuditEntryResource> => ({
  id: e.id, actor: e.actor, action: e.action, target: e.target, before: e.before ?? null, after: e.after ?? null,
  request_id: e.requestId ?? null, date_created: new Date(e.createdAt as unknown as string).toISOString(),
});

const filterQuery = {
  Actor: z.string().min(1).max(200).optional().describe('Only entries by this actor (a user SID, api:<client id>, operator, …).'),
  Action: z.string().min(1).max(100).optional().describe('Only entries of this action, e.g. member.role_changed.'),
  Target: z.string().min(1).max(300).optional().describe('Only entries about this target (a SID, an email, a domain).'),
  StartDate: z.iso.datetime({ offset: true }).optional().describe('Only entries at or after this time (ISO 8601).'),
  EndDate: z.iso.datetime({ offset: true }).optional().describe('Only entries before this time (ISO 8601).'),
};

type FilterQuery = { Actor?: string | undefined; Action?: string | undefined; Target?: string | undefined; StartDate?: string | undefined; EndDate?: string | undefined };

const filterOf = (q: FilterQuery): AuditFilter => ({
  actor: q.Actor, action: q.Action, target: q.Target,
  since: q.StartDate === undefined ? undefined : new Date(q.StartDate),
  until: q.EndDate === undefined ? undefined : new Date(q.EndDate),
});

/** The cursor of a page: after an entry (the next page) or before one (the previous page). */
type AuditCursor = { afterId: string } | { beforeId: string };

/** PageToken: `<page>.<id>` (the page after entry id) or `<page>.b<id>` (the page before it), base64url. */
function readToken(token: string | undefined): { page: number; cursor?: AuditCursor } {
  if (token === undefined) return { page: 0 };
  const match = /^(\d{1,9})\.(b?)(\d{1,18})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match) throw new DomainError('invalid_input', 'PageToken is not one this API issued; follow meta.next_page_url or leave it out for the first page.');
  return { page: Number(match[1]), cursor: match[2] === 'b' ? { beforeId: match[3]! } : { afterId: match[3]! } };
}
const writeToken = (page: number, cursor: AuditCursor) =>
  Buffer.from('beforeId' in cursor ? `${page}.b${cursor.beforeId}` : `${page}.${cursor.afterId}`).toString('base64url');

async function* csvChunks(batches: AsyncGenerator<string>): AsyncGenerator<string> {
  yield AUDIT_CSV_HEADER;
  // The database formats the lines (quoting, formula defusing: audit_csv_cell in the migrations).
  yield* batches;
}

/** Streams the export; authorisation happened before the first byte, so errors so far are normal responses. */
async function streamCsv(services: Services, res: Response, actor: Actor, orgSid: string, filter: AuditFilter): Promise<void> {
  const batches = await services.auditLog.export(actor, orgSid, filter);
  res.status(200);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="audit-log-${orgSid}.csv"`);
  res.setHeader('Cache-Control', 'no-store');
  try {
    // pipeline pulls the next batch only when the socket took the previous one (back-pressure),
    // and stops reading when the client goes away.
    await pipeline(Readable.from(csvChunks(batches), { objectMode: false }), res);
  } catch (error) {
    if (res.destroyed && !res.writableFinished && (error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    throw error;
  }
}

const orgParams = z.strictObject({ OrganizationSid });

export function auditLogRoutes(services: Services, baseUrl: string): ApiRoute[] {
  return [
    defineRoute({
      method: 'get', path: '/Organizations/{OrganizationSid}/AuditLog', summary: 'Read the audit log, oldest first (L1); Accept: text/csv exports it', tags: TAGS,
      access: 'admin:read', auth: 'principal', errors: 'orgward', params: orgParams,
      query: z.strictObject({
        ...filterQuery,
        PageSize: z.coerce.number().int().min(1).max(MAX_AUDIT_PAGE).default(50).describe(`Entries per page (1-${MAX_AUDIT_PAGE}, default 50).`),
        PageToken: z.string().max(200).optional().describe('From meta.next_page_url or meta.previous_page_url.'),
      }),
      responses: { 200: { description: 'A page of entries (or the CSV export when the request accepts text/csv first)', schema: twilioPage(AuditEntryResource), otherMediaTypes: ['text/csv'] } },
      async handler({ params, query, principal, req, res }) {
        const filter = filterOf(query);
        if (req.accepts(['application/json', 'text/csv']) === 'text/csv') {
          await streamCsv(services, res, principal.actor, params.OrganizationSid, filter);
          return { status: 200 };
        }
        const { page, cursor } = readToken(query.PageToken);
        const result = await services.auditLog.list(principal.actor, params.OrganizationSid, { ...filter, limit: query.PageSize, ...cursor });
        const url = (token?: string) => {
          const search = new URLSearchParams();
          for (const [name, value] of Object.entries(query)) if (name !== 'PageToken' && value !== undefined) search.set(name, String(value));
          if (token) search.set('PageToken', token);
          return `${baseUrl}/Organizations/${params.OrganizationSid}/AuditLog?${search.toString()}`;
        };
        return {
          status: 200,
          body: {
            content: result.entries.map(toResource),
            meta: {
              first_page_url: url(), key: 'content' as const,
              next_page_url: result.nextAfterId === null ? null : url(writeToken(page + 1, { afterId: result.nextAfterId })),
              page, page_size: query.PageSize,
              // The PageSize entries before this page's first (keyset paging read backwards).
              previous_page_url: result.previousBeforeId === null || page === 0 ? null : url(writeToken(page - 1, { beforeId: result.previousBeforeId })),
              url: url(query.PageToken),
            },
          },
        };
      },
    }),

    defineRoute({
      method: 'get', path: '/Organizations/{OrganizationSid}/AuditLog.csv', summary: 'Export the audit log as CSV, streamed (L1)', tags: TAGS,
      access: 'admin:read', auth: 'principal', errors: 'orgward', params: orgParams, query: z.strictObject(filterQuery),
      responses: { 200: { description: 'id, date_created, actor, action, target, before, after, request_id; one line per entry, oldest first', mediaType: 'text/csv' } },
      async handler({ params, query, principal, res }) {
        await streamCsv(services, res, principal.actor, params.OrganizationSid, filterOf(query));
        return { status: 200 };
      },
    }),
  ];
}
