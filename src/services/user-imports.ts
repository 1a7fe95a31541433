/**
 * Bulk user import in the background (B1, B2): an upload becomes a job stored in the database
 * with its file (user_import_jobs), a worker (jobs/user-import-worker.ts) runs it through the
 * bulk import service, writing progress as chunks commit, and the per-line report is kept with
 * the job. A job survives a restart: stopping releases it to the queue, and a job whose instance
 * died is taken over once its lease expires. Running a job again is safe because the import is
 * idempotent (rows already applied are reported as skipped: already members).
 */
import { DomainError } from '../errors.js';
import { decideBulkImportUpload } from '../rules/bulk-import.js';
import type { UserImportJob, UserImportReport } from '../store/user-import-jobs.js';
import type { Actor } from '../types.js';
import { createApiClientsService } from './api-clients.js';
import { createBulkImportService } from './bulk-import.js';
import { audit, authorize, fail } from './context.js';
import type { ServiceDeps } from './index.js';
import { UUID_PATTERN } from '../ids.js';

/** How long a claimed job is a worker's without news; renewed with every chunk. */
export const USER_IMPORT_LEASE_MS = 2 * 60 * 1000;
/** A job claimed this many times without finishing fails instead of running again. */
export const MAX_IMPORT_ATTEMPTS = 5;

const notFound = (id: string, orgSid: string) => new DomainError('not_found', `No user import ${id} in organization ${orgSid}.`);

/** createUserImportsService: uploads, progress, reports, and running the next job. */
export function createUserImportsService(deps: ServiceDeps) {
  const { store, clock, logger } = deps;
  const bulkImport = createBulkImportService(deps);
  const apiClients = createApiClientsService(deps);

  /** Reading a job: an import's report is an administrative record, read like the audit log (O3). */
  const authorizeRead = (actor: Actor, orgSid: string) => authorize(store.read, actor, orgSid, 'view_audit');

  const service = {
    /** B1: queues a CSV for import (header email,role[,name]); refused at once when bulk import is off or the file too large. */
    async upload(actor: Actor, orgSid: string, input: { csv: string; updateRoles: boolean }): Promise<UserImportJob> {
      return store.transaction(async (repos) => {
        const { org } = await authorize(repos, actor, orgSid, 'bulk_import');
        const bytes = Buffer.byteLength(input.csv, 'utf8');
        const lines = input.csv.split('\n').filter((l) => l.trim() !== '').length;
        const decision = decideBulkImportUpload(org, { bytes, lines });
        if (decision.kind === 'reject') return fail(decision);
        const { requestId: _omit, ...who } = actor;
        const job = await repos.userImportJobs.insert({ orgSid, actor: who as Actor, csvText: input.csv, updateRoles: input.updateRoles });
        await audit(repos, actor, { orgSid, action: 'users.import_queued', target: job.id, after: { bytes, lines, updateRoles: input.updateRoles } });
        return job;
      });
    },

    async get(actor: Actor, orgSid: string, id: string): Promise<UserImportJob> {
      await authorizeRead(actor, orgSid);
      const job = UUID_PATTERN.test(id) ? await store.read.userImportJobs.get(orgSid, id) : undefined;
      if (!job) throw notFound(id, orgSid);
      return job;
    },

    /** The organization's latest imports, newest first. */
    async list(actor: Actor, orgSid: string): Promise<UserImportJob[]> {
      await authorizeRead(actor, orgSid);
      return store.read.userImportJobs.listByOrg(orgSid, 100);
    },

    /** B2: the per-line report of a finished import. */
    async report(actor: Actor, orgSid: string, id: string): Promise<{ job: UserImportJob; report: UserImportReport }> {
      const job = await service.get(actor, orgSid, id);
      const report = await store.read.userImportJobs.report(orgSid, id);
      if (!report) {
        throw new DomainError('conflict', job.status === 'failed'
          ? `This import failed as a whole (${job.failure?.code ?? 'error'}): it has no per-line report. Fix the cause and upload the file again.`
          : 'This import has not finished yet: follow its status and read the report once it is done.');
      }
      return { job, report };
    },

    /**
     * Claims the next job (queued, or running with an expired lease) and runs it to the end, until
     * `signal` (SIGTERM) stops it between chunks, or until another worker took it over. Returns the
     * job as claimed, or undefined when there was none.
     */
    async runNext(workerId: string, signal?: AbortSignal): Promise<UserImportJob | undefined> {
      const jobs = store.read.userImportJobs;
      const leaseFromNow = () => new Date(clock.now().getTime() + USER_IMPORT_LEASE_MS);
      const job = await jobs.claim(workerId, clock.now(), leaseFromNow());
      if (!job) return undefined;
      if (job.attempts > MAX_IMPORT_ATTEMPTS) {
        await jobs.fail(job.id, workerId, { code: 'import_failed', message: `The import stopped ${MAX_IMPORT_ATTEMPTS} times without finishing. Upload the file again; rows already applied stay applied.` }, clock.now());
        return job;
      }
      const stop = new AbortController();
      const onStop = () => stop.abort();
      signal?.addEventListener('abort', onStop);
      if (signal?.aborted) stop.abort();
      let writes = Promise.resolve();
      try {
        // The uploader's authority is checked again now: a revoked client's job does not run.
        if (job.actor.kind === 'api_client') await apiClients.standing(job.actor.clientId);
        const result = await bulkImport.importUsers(job.actor, job.orgSid, job.csvText, {
          updateRoles: job.updateRoles, signal: stop.signal,
          onProgress: (done, total) => {
            writes = writes.then(async () => {
              // A lost lease means another worker took the job over: stop, it finishes the file.
              if (!(await jobs.progress(job.id, workerId, { rowsDone: done, rowsTotal: total, leaseUntil: leaseFromNow() }))) stop.abort();
            }).catch((error: unknown) => logger.warn('user import progress not recorded', { jobId: job.id, error }));
          },
        });
        await writes;
        if (result.interrupted) {
          await jobs.release(job.id, workerId);
        } else {
          const report = { applied: result.applied, skipped: result.skipped, errors: result.errors };
          await jobs.finish(job.id, workerId, { rowsTotal: result.applied.length + result.skipped.length + result.errors.length, report, at: clock.now() });
        }
      } catch (error) {
        await writes;
        // An outage leaves the job running: its lease expires and a worker takes it over.
        if (error instanceof DomainError && error.kind === 'unavailable') return job;
        if (error instanceof DomainError) {
          await jobs.fail(job.id, workerId, { code: error.code, message: error.message }, clock.now());
        } else {
          logger.error('user import failed', { jobId: job.id, error });
          await jobs.fail(job.id, workerId, { code: 'internal_error', message: 'The import stopped on an unexpected error (logged on the server). Upload the file again; rows already applied stay applied.' }, clock.now());
        }
      } finally {
        signal?.removeEventListener('abort', onStop);
      }
      return job;
    },
  };
  return service;
}

export type UserImportsService = ReturnType<typeof createUserImportsService>;
