/**
 * Issue 10: background bulk imports (B1, B2) and the audit log's filters (L1).
 * - user_import_jobs: an uploaded CSV and its progress, so a large import runs in the background,
 *   survives a restart, and is taken over by another instance once the lease of the instance
 *   running it has expired (a worker claims jobs FOR UPDATE SKIP LOCKED).
 * - audit_log indexes for the API's filters (actor, action, target, time range), each ending in
 *   id so that keyset paging and the CSV export stay index scans; audit_csv_cell() formats the
 *   export's cells in the database.
 * Runs on PostgreSQL and PGlite.
 */
import type { Knex } from 'knex';

const statements: readonly string[] = [
  `
    CREATE TABLE user_import_jobs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      org_sid text NOT NULL REFERENCES organizations(sid),
      -- who uploaded it, as the services' Actor (the import runs with their authority, rechecked)
      actor jsonb NOT NULL,
      csv_text text NOT NULL,
      update_roles boolean NOT NULL DEFAULT false,
      status text NOT NULL DEFAULT 'queued'
        CONSTRAINT user_import_jobs_status CHECK (status IN ('queued', 'running', 'done', 'failed')),
      rows_total integer,
      rows_done integer NOT NULL DEFAULT 0,
      applied integer NOT NULL DEFAULT 0,
      skipped integer NOT NULL DEFAULT 0,
      errors integer NOT NULL DEFAULT 0,
      -- the per-line report once done: {applied, skipped, errors}
      report jsonb,
      -- why a job failed as a whole: {code, message}
      failure jsonb,
      attempts integer NOT NULL DEFAULT 0,
      leased_by text,
      lease_expires_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz
    );`,
  `
    CREATE INDEX user_import_jobs_org ON user_import_jobs (org_sid, created_at);`,
  `
    -- What a worker looks for: queued jobs, and running ones whose lease may have expired.
    CREATE INDEX user_import_jobs_open ON user_import_jobs (created_at) WHERE status IN ('queued', 'running');`,
  `
    CREATE INDEX audit_log_org_actor ON audit_log (org_sid, actor, id);`,
  `
    CREATE INDEX audit_log_org_action ON audit_log (org_sid, action, id);`,
  `
    CREATE INDEX audit_log_org_target ON audit_log (org_sid, target, id) WHERE target IS NOT NULL;`,
  `
    CREATE INDEX audit_log_org_time ON audit_log (org_sid, created_at, id);`,
  `
    -- L1 export: one CSV cell (RFC 4180), formatted by the database so the export moves one text
    -- column per entry. A value a spreadsheet would run as a formula (=, +, -, @, tab, CR first)
    -- gets a leading apostrophe (and quotes): targets and values can carry text that users chose.
    -- A plain expression (no FROM), so the planner inlines it: no function call per cell.
    CREATE FUNCTION audit_csv_cell(value text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT CASE
        WHEN value IS NULL THEN ''
        WHEN left(value, 1) IN ('=', '+', '-', '@', E'\\t', E'\\r') THEN '"''' || replace(value, '"', '""') || '"'
        WHEN strpos(value, '"') > 0 OR strpos(value, ',') > 0 OR strpos(value, E'\\n') > 0 OR strpos(value, E'\\r') > 0
          THEN '"' || replace(value, '"', '""') || '"'
        ELSE value END
    $$;`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION audit_csv_cell(text)');
  await knex.raw(`DROP INDEX audit_log_org_time, audit_log_org_target, audit_log_org_action, audit_log_org_actor`);
  await knex.raw(`DROP TABLE user_import_jobs`);
}
