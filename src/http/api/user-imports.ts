/**
 * Bulk user import over the API (B1, B2): upload a CSV (the file itself as text/csv, or a JSON
 * body carrying its text),
 * follow the job's progress, read the per-line report. The import runs in the background
 * (jobs/user-import-worker.ts) and survives a restart. Uploading is the bulk_import permission
 * (Owner, Administrators, admin clients; B1: once the operator enabled it); reading a job is
 * view_audit (also read-only clients). Another organization is 404. Orgward resource.
 */
import { z } from 'zod';
import { DomainError } from '../../errors.js';
import type { Services } from '../../services/index.js';
import type { UserImportJob, UserImportReport } from '../../store/user-import-jobs.js';
import { MAX_BULK_IMPORT_BYTES, MAX_BULK_IMPORT_ROWS } from '../../rules/bulk-import.js';
import { defineRoute, type ApiRoute } from './registry.js';
import { OrganizationSid } from './schemas.js';
import { idempotent, IDEMPOTENCY_HEADER } from './preconditions.js';

const TAGS = ['User imports'];
const ImportId = z.uuid().describe("The import's id");

export const UserImportResource = z.object({
  id: ImportId,
  status: z.enum(['queued', 'running', 'done', 'failed']),
  update_roles: z.boolean(),
  rows_total: z.number().int().nullable().describe('Data rows of the file, once the job has read it.'),
  rows_done: z.number().int(),
  applied: z.number().int(),
  skipped: z.number().int(),
  errors: z.number().int(),
  failure: z.object({ code: z.string(), message: z.string() }).nullable().describe('Why the import failed as a whole (status failed).'),
  attempts: z.number().int(),
  date_created: z.iso.datetime(),
  date_started: z.iso.datetime().nullable(),
  date_finished: z.iso.datetime().nullable(),
  url: z.string(),
  report_url: z.string(),
});

const UserImportReportResource = z.object({
  id: ImportId,
  status: z.literal('done'),
  applied: z.array(z.object({ line: z.number().int(), email: z.string(), user_sid: z.string(), role: z.string(), action: z.enum(['added', 'role_changed']) })),
  skipped: z.array(z.object({ line: z.number().int(), email: z.string(), reason: z.string(), role: z.string().optional(), requested_role: z.string().optional() })),
  errors: z.array(z.object({ line: z.number().int(), email: z.string(), code: z.string(), message: z.string() })),
});

type Row = Record<string, unknown>;

function toReport(id: string, report: UserImportReport): z.infer<typeof UserImportReportResource> {
  const rows = (list: readonly unknown[]) => list as Row[];
  return {
    id, status: 'done',
    applied: rows(report.applied).map((a) => ({ line: a.line as number, email: a.email as string, user_sid: a.userSid as string, role: a.role as string, action: a.action as 'added' | 'role_changed' })),
    skipped: rows(report.skipped).map((s) => ({
      line: s.line as number, email: s.email as string, reason: s.reason as string,
      ...(s.role !== undefined && { role: s.role as string }), ...(s.requestedRole !== undefined && { requested_role: s.requestedRole as string }),
    })),
    errors: rows(report.errors).map((e) => ({ line: e.line as number, email: e.email as string, code: e.code as string, message: e.message as string })),
  };
}

const orgParams = z.strictObject({ OrganizationSid });
const importParams = z.strictObject({ OrganizationSid, ImportId });

export function userImportRoutes(services: Services, baseUrl: string): ApiRoute[] {
  const urlOf = (j: UserImportJob) => `${baseUrl}/Organizations/${j.orgSid}/UserImports/${j.id}`;
  const toResource = (j: UserImportJob): z.infer<typeof UserImportResource> => ({
    id: j.id, status: j.status, update_roles: j.updateRoles, rows_total: j.rowsTotal, rows_done: j.rowsDone,
    applied: j.applied, skipped: j.skipped, errors: j.errors, failure: j.failure, attempts: j.attempts,
    date_created: j.createdAt.toISOString(), date_started: j.startedAt?.toISOString() ?? null, date_finished: j.finishedAt?.toISOString() ?? null,
    url: urlOf(j), report_url: `${urlOf(j)}/Report`,
  });

  return [
    defineRoute({
      method: 'post', path: '/Organizations/{OrganizationSid}/UserImports', summary: 'Upload a CSV of users to import in the background (B1, B2)', tags: TAGS,
      access: 'admin:write', auth: 'principal', errors: 'orgward', params: orgParams,
      query: z.strictObject({
        UpdateRoles: z.enum(['true', 'false']).optional().describe('With a text/csv body: the same as updateRoles in a JSON body.'),
      }),
      // The console's drag-and-drop sends the file as is; the CLI's columns and limits apply.
      textBody: {
        mediaType: 'text/csv', maxBytes: MAX_BULK_IMPORT_BYTES,
        description: `The CSV file itself (UTF-8): header email,role[,name], up to ${MAX_BULK_IMPORT_ROWS} rows and ${MAX_BULK_IMPORT_BYTES} bytes; UpdateRoles=true in the query to change existing members' roles.`,
        toBody: (csv, query) => ({ csv, updateRoles: query.UpdateRoles === 'true' }),
      },
      body: z.strictObject({
        csv: z.string().min(1).max(MAX_BULK_IMPORT_BYTES).describe(`The file's text: header email,role[,name] (separated by , ; or tab), up to ${MAX_BULK_IMPORT_ROWS} rows; role admin or standard (empty: standard).`),
        updateRoles: z.boolean().default(false).describe('Change the role of existing members whose row names another role (otherwise they are reported unchanged).'),
      }),
      headers: [IDEMPOTENCY_HEADER],
      responses: { 202: { description: 'The queued import; follow its url', schema: UserImportResource } },
      async handler({ params, query, body, principal, req }) {
        if (query.UpdateRoles !== undefined && !req.is('text/csv')) {
          throw new DomainError('invalid_input', 'UpdateRoles goes with a text/csv body; in a JSON body send "updateRoles": true.');
        }
        return idempotent(services, req, principal, body, async () => {
          const job = await services.userImports.upload(principal.actor, params.OrganizationSid, { csv: body.csv, updateRoles: body.updateRoles });
          return { status: 202, body: toResource(job), headers: { Location: urlOf(job) } };
        });
      },
    }),

    defineRoute({
      method: 'get', path: '/Organizations/{OrganizationSid}/UserImports', summary: "The organization's latest imports, newest first", tags: TAGS,
      access: 'admin:read', auth: 'principal', errors: 'orgward', params: orgParams,
      responses: { 200: { description: 'The imports (at most 100)', schema: z.object({ imports: z.array(UserImportResource) }) } },
      async handler({ params, principal }) {
        return { status: 200, body: { imports: (await services.userImports.list(principal.actor, params.OrganizationSid)).map(toResource) } };
      },
    }),

    defineRoute({
      method: 'get', path: '/Organizations/{OrganizationSid}/UserImports/{ImportId}', summary: "An import's status and progress", tags: TAGS,
      access: 'admin:read', auth: 'principal', errors: 'orgward', params: importParams,
      responses: { 200: { description: 'The import', schema: UserImportResource } },
      async handler({ params, principal }) {
        return { status: 200, body: toResource(await services.userImports.get(principal.actor, params.OrganizationSid, params.ImportId)) };
      },
    }),

    defineRoute({
      method: 'get', path: '/Organizations/{OrganizationSid}/UserImports/{ImportId}/Report', summary: 'The per-line report of a finished import (B2)', tags: TAGS,
      access: 'admin:read', auth: 'principal', errors: 'orgward', params: importParams,
      responses: { 200: { description: 'Applied, skipped and refused rows with their line', schema: UserImportReportResource } },
      async handler({ params, principal }) {
        const { job, report } = await services.userImports.report(principal.actor, params.OrganizationSid, params.ImportId);
        return { status: 200, body: toReport(job.id, report) };
      },
    }),
  ];
}
