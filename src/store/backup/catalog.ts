/**
 * What a backup reads from the database's own catalogue, so that a table added by a later
 * migration is backed up without anyone listing it: the tables (all but knex's bookkeeping), their
 * columns and types, the order foreign keys impose, the sequences and the triggers. The same
 * queries run on PostgreSQL and on the embedded PGlite.
 */
import type { Knex } from 'knex';

type Q = Knex | Knex.Transaction;

export interface Column {
  readonly name: string;
  /** The type as SQL spells it (`timestamp with time zone`, `text[]`), for the cast on load. */
  readonly type: string;
}

export interface Table {
  readonly name: string;
  /** Stored columns in table order (generated columns are computed again on load). */
  readonly columns: readonly Column[];
  /** A foreign key to the table itself (organizations.merged_into_sid, accounts.parent_sid): parents are dumped first. */
  readonly selfReference?: { readonly column: string; readonly references: string };
}

export interface Catalog {
  /** Every table, referenced tables before the tables that reference them. */
  readonly tables: readonly Table[];
  readonly sequences: readonly string[];
  /** Foreign keys between the tables, with their definitions: a load adds them back after the rows (as pg_restore does). */
  readonly foreignKeys: readonly { readonly table: string; readonly name: string; readonly definition: string }[];
  /** User triggers that are not constraint triggers: they may fill in values, so a load pauses them. */
  readonly triggers: readonly { readonly table: string; readonly name: string }[];
}

/** knex's own tables: the target gets them from running the migrations. */
const BOOKKEEPING = /^knex_migrations(_lock)?$/;

/**
 * Rows the migrations themselves insert (the built-in roles). A database holding only these is
 * still empty, and a load replaces them with the backup's rows.
 */
export const SEEDED_ROWS: Readonly<Record<string, string>> = { roles: "kind = 'built_in'" };

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

const rowsOf = <T>(result: unknown): T[] => (result as { rows: T[] }).rows;

export async function readCatalog(q: Q): Promise<Catalog> {
  const tableRows = rowsOf<{ name: string }>(await q.raw(`
    SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname`));
  const names = tableRows.map((r) => r.name).filter((n) => !BOOKKEEPING.test(n));
  const columnRows = rowsOf<{ table: string; name: string; type: string }>(await q.raw(`
    SELECT c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
      AND a.attgenerated = ''
    ORDER BY c.relname, a.attnum`));
  const fkRows = rowsOf<{ table: string; referenced: string; columns: string; ref_columns: string; name: string; definition: string }>(await q.raw(`
    SELECT t.relname AS table, r.relname AS referenced, c.conname AS name, pg_get_constraintdef(c.oid) AS definition,
      (SELECT string_agg(a.attname::text, ',' ORDER BY k.i) FROM unnest(c.conkey) WITH ORDINALITY AS k(n, i)
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n) AS columns,
      (SELECT string_agg(a.attname::text, ',' ORDER BY k.i) FROM unnest(c.confkey) WITH ORDINALITY AS k(n, i)
        JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n) AS ref_columns
    FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE c.contype = 'f' AND n.nspname = current_schema() ORDER BY t.relname, c.conname`));
  const sequenceRows = rowsOf<{ name: string }>(await q.raw(`
    SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind = 'S' ORDER BY c.relname`));
  const triggerRows = rowsOf<{ table: string; name: string }>(await q.raw(`
    SELECT c.relname AS table, t.tgname AS name FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND NOT t.tgisinternal AND t.tgconstraint = 0 ORDER BY c.relname, t.tgname`));

  const columns = new Map<string, Column[]>(names.map((n) => [n, []]));
  for (const r of columnRows) columns.get(r.table)?.push({ name: r.name, type: r.type });
  const selfRefs = new Map<string, { column: string; references: string }>();
  const dependsOn = new Map<string, Set<string>>(names.map((n) => [n, new Set()]));
  for (const fk of fkRows) {
    if (fk.table === fk.referenced) {
      // One single-column self-reference per table is ordered by depth (snapshot.ts); anything
      // else would need deferred constraints, which the schema does not use.
      if (fk.columns.includes(',') || selfRefs.has(fk.table)) throw new Error(`the backup cannot order the rows of ${fk.table}: it references itself in more than one way`);
      selfRefs.set(fk.table, { column: fk.columns, references: fk.ref_columns });
    } else {
      dependsOn.get(fk.table)?.add(fk.referenced);
    }
  }
  const tables = foreignKeyOrder(names, dependsOn).map((name): Table => ({
    name, columns: columns.get(name)!, ...(selfRefs.has(name) && { selfReference: selfRefs.get(name)! }),
  }));
  const foreignKeys = fkRows.filter((fk) => columns.has(fk.table)).map((fk) => ({ table: fk.table, name: fk.name, definition: fk.definition }));
  return { tables, foreignKeys, sequences: sequenceRows.map((r) => r.name).filter((n) => !n.startsWith('knex_migrations')), triggers: triggerRows.filter((t) => columns.has(t.table)) };
}

/** Kahn's algorithm, alphabetical among equals so every backup of a schema lists tables alike. */
function foreignKeyOrder(names: readonly string[], dependsOn: Map<string, Set<string>>): string[] {
  const ordered: string[] = [];
  const done = new Set<string>();
  while (ordered.length < names.length) {
    const ready = names.filter((n) => !done.has(n) && [...dependsOn.get(n)!].every((d) => done.has(d) || !dependsOn.has(d)));
    if (ready.length === 0) throw new Error(`the backup cannot order tables whose foreign keys form a cycle: ${names.filter((n) => !done.has(n)).join(', ')}`);
    for (const n of ready) { ordered.push(n); done.add(n); }
  }
  return ordered;
}

/** The latest migration applied to the database (its schema version), or undefined when none is. */
export async function schemaVersion(q: Q): Promise<string | undefined> {
  const applied = await appliedMigrations(q);
  return applied.length === 0 ? undefined : applied[applied.length - 1];
}

/** Names of the applied migrations, in order; empty when knex's table does not exist. */
export async function appliedMigrations(q: Q): Promise<string[]> {
  const exists = rowsOf<{ t: string | null }>(await q.raw("SELECT to_regclass('knex_migrations')::text AS t"))[0]?.t;
  if (!exists) return [];
  return rowsOf<{ name: string }>(await q.raw('SELECT name FROM knex_migrations ORDER BY name')).map((r) => r.name);
}

/** Tables holding rows other than the migrations' own (SEEDED_ROWS): a restore target must have none. */
export async function tablesWithData(q: Q, tables: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const table of tables) {
    const seeded = SEEDED_ROWS[table];
    const rows = rowsOf<{ any: boolean }>(await q.raw(
      `SELECT EXISTS (SELECT 1 FROM ${quoteIdent(table)}${seeded ? ` WHERE NOT (${seeded})` : ''}) AS any`));
    if (rows[0]?.any) found.push(table);
  }
  return found;
}
