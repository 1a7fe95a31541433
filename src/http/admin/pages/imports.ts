/**
 * Bulk user import (B1, B2): a CSV (header `email,role[,name]`) pasted, or read from a chosen or
 * dropped file by the enhancing script, queued as a background job (any instance's worker runs
 * it); the job's page shows a progress bar, refreshes itself while the job runs (a meta refresh:
 * no script needed), and the per-line report of bad rows when it is done.
 */
import type { Request } from 'express';
import { DomainError } from '../../../errors.js';
import { formField, orgOf, param, type AdminRoute } from '../page.js';

const back = () => '/admin/users/import';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const idOf = (req: Request): string => {
  const id = param(req, 'id');
  if (!UUID.test(id)) throw new DomainError('not_found', 'There is no such import.');
  return id;
};
/** Rows of the report shown on the page; the whole report stays available over the API. */
const SHOWN_ERRORS = 1000;

export function importPages(): AdminRoute[] {
  return [
    {
      method: 'get', path: '/users/import', action: 'bulk_import',
      handler: async (c) => ({ view: 'import', title: 'Bulk import', data: { jobs: (await c.services.userImports.list(c.actor, orgOf(c))).slice(0, 20) } }),
    },
    {
      method: 'post', path: '/users/import', action: 'bulk_import', back,
      handler: async (c) => {
        const csv = typeof (c.req.body as Record<string, unknown> | undefined)?.csv === 'string' ? (c.req.body as { csv: string }).csv : '';
        if (csv.trim() === '') throw new DomainError('invalid_input', 'Paste the CSV (header email,role[,name]) or choose its file.');
        const job = await c.services.userImports.upload(c.actor, orgOf(c), { csv, updateRoles: formField(c.req, 'updateRoles') === 'on' });
        return { redirect: `/admin/users/import/${job.id}` };
      },
    },
    {
      method: 'get', path: '/users/import/:id', action: 'bulk_import',
      handler: async (c) => {
        const id = idOf(c.req);
        const job = await c.services.userImports.get(c.actor, orgOf(c), id);
        const finished = job.status === 'done' || job.status === 'failed';
        const report = job.status === 'done' ? (await c.services.userImports.report(c.actor, orgOf(c), id)).report : null;
        const errors = (report?.errors ?? []) as { line?: number; email?: string; code?: string; message?: string }[];
        const percent = job.rowsTotal ? Math.floor((job.rowsDone / job.rowsTotal) * 100) : 0;
        return {
          view: 'import-job', title: 'Bulk import',
          data: { job, finished, percent, errors: errors.slice(0, SHOWN_ERRORS), moreErrors: Math.max(0, errors.length - SHOWN_ERRORS), refresh: finished ? null : 2 },
        };
      },
    },
  ];
}
