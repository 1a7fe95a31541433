/**
 * The audit log (L1, view_audit): filters (actor, action, target, time range), keyset paging
 * (afterId, never an offset) and the CSV export of the same filter, streamed in constant memory
 * through the service the API's export uses.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request } from 'express';
import { DomainError } from '../../../errors.js';
import { AUDIT_CSV_HEADER, type AuditFilter } from '../../../store/audit-log.js';
import { adminHeaders } from '../render.js';
import { orgOf, queryField, type AdminRoute, type PageContext } from '../page.js';

const PAGE_SIZE = 50;

/** A date or date-time field of the filter form (UTC), undefined when empty. */
function dateOf(value: string, name: string, endOfDay: boolean): Date | undefined {
  if (value === '') return undefined;
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T${endOfDay ? '23:59:59.999' : '00:00:00'}Z` : value;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new DomainError('invalid_input', `${name} must be a date such as 2026-12-31 (UTC).`);
  return date;
}

function filterOf(req: Request): { filter: AuditFilter; form: Record<string, string> } {
  const form = { actor: queryField(req, 'actor'), action: queryField(req, 'action'), target: queryField(req, 'target'), since: queryField(req, 'since'), until: queryField(req, 'until') };
  for (const [k, v] of Object.entries(form)) if (v.length > 200) throw new DomainError('invalid_input', `The ${k} filter is too long.`);
  const filter: AuditFilter = {
    ...(form.actor && { actor: form.actor }), ...(form.action && { action: form.action }), ...(form.target && { target: form.target }),
    since: dateOf(form.since, 'From', false), until: dateOf(form.until, 'To', true),
  };
  return { filter, form };
}

const query = (form: Record<string, string>, extra: Record<string, string> = {}) => {
  const p = new URLSearchParams(Object.entries({ ...form, ...extra }).filter(([, v]) => v !== ''));
  const s = p.toString();
  return s ? `?${s}` : '';
};

async function page(c: PageContext) {
  const { filter, form } = filterOf(c.req);
  const after = queryField(c.req, 'after');
  const before = queryField(c.req, 'before');
  const found = await c.services.auditLog.list(c.actor, orgOf(c), {
    ...filter, limit: PAGE_SIZE, ...(after !== '' && { afterId: after }), ...(before !== '' && { beforeId: before }),
  });
  return {
    view: 'audit', title: 'Audit log',
    data: {
      form, entries: found.entries.map((e) => ({ ...e, beforeText: e.before === null ? '' : JSON.stringify(e.before), afterText: e.after === null ? '' : JSON.stringify(e.after) })),
      next: found.nextAfterId ? `/admin/audit${query(form, { after: found.nextAfterId })}` : null,
      previous: found.previousBeforeId ? `/admin/audit${query(form, { before: found.previousBeforeId })}` : null,
      first: after !== '' || before !== '' ? `/admin/audit${query(form)}` : null,
      csv: `/admin/audit/export${query(form)}`,
    },
  };
}

async function exportCsv(c: PageContext) {
  const orgSid = orgOf(c);
  const { filter } = filterOf(c.req);
  const batches = await c.services.auditLog.export(c.actor, orgSid, filter);
  adminHeaders(c.res).status(200).type('text/csv; charset=utf-8').set('Content-Disposition', `attachment; filename="audit-log-${orgSid}.csv"`);
  try {
    await pipeline(Readable.from((async function* lines() { yield AUDIT_CSV_HEADER; yield* batches; })(), { objectMode: false }), c.res);
  } catch (error) {
    // The browser went away mid-download: nothing left to answer.
    if (!(c.res.destroyed && (error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE')) throw error;
  }
  return { sent: true as const };
}

export function auditPages(): AdminRoute[] {
  return [
    { method: 'get', path: '/audit', action: 'view_audit', handler: page },
    { method: 'get', path: '/audit/export', action: 'view_audit', handler: exportCsv },
  ];
}
