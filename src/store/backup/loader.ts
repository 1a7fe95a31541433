/**
 * Loads a backup's rows into an empty database, in one transaction: the tables are locked and
 * checked empty again under that lock, rows go in parent tables first (the order of the backup),
 * unique, check and not-null constraints are checked as rows arrive, foreign keys are dropped for
 * the load and added back after it (each validated in one pass over its table, as pg_restore
 * does, rather than one lookup per row), the deferred constraint triggers run before the commit,
 * and counts are compared before the commit. Triggers that fill in values
 * (domains.sso_enforced_at) are paused so that rows arrive exactly as they were dumped. Any
 * failure rolls everything back, the dropped constraints included.
 */
import type { Knex } from 'knex';
import { DomainError } from '../../errors.js';
import { quoteIdent, SEEDED_ROWS, tablesWithData, type Catalog, type Table } from './catalog.js';
import { setTextForms, type SequenceValue, type SnapshotEvent } from './snapshot.js';

/** Rows per INSERT, and the most JSON text one carries. */
const BATCH_ROWS = 2000;
const BATCH_BYTES = 4 << 20;

export function notEmptyError(tables: readonly string[]): DomainError {
  return new DomainError('restore_target_not_empty',
    `The target database already holds Orgward data (${tables.slice(0, 5).join(', ')}${tables.length > 5 ? ', …' : ''}); ` +
    'restore goes into an empty database: a new DATA_DIR, or a new PostgreSQL database (createdb).',
    { details: { tables } });
}

/** The backup's tables and columns must be the target's (same schema version): else no load. */
export function checkSameTables(source: readonly Pick<Table, 'name' | 'columns'>[], target: Catalog): void {
  const describe = (ts: readonly Pick<Table, 'name' | 'columns'>[]) => ts.map((t) => `${t.name}(${t.columns.map((c) => c.name).sort().join(',')})`).sort();
  const a = describe(source);
  const b = describe(target.tables);
  const differ = a.filter((x) => !b.includes(x)).concat(b.filter((x) => !a.includes(x)));
  if (differ.length > 0) {
    throw new DomainError('backup_invalid', `The backup's tables do not match the schema its version names: ${differ.slice(0, 5).join('; ')}.`,
      { details: { differences: differ } });
  }
}

/** Locks every table, checks again that they are empty, clears the migrations' seed rows, pauses triggers. */
export async function beginLoad(trx: Knex.Transaction, catalog: Catalog): Promise<void> {
  await setTextForms(trx);
  const names = catalog.tables.map((t) => t.name);
  if (names.length > 0) await trx.raw(`LOCK TABLE ${names.map(quoteIdent).join(', ')} IN ACCESS EXCLUSIVE MODE`);
  const filled = await tablesWithData(trx, names);
  if (filled.length > 0) throw notEmptyError(filled);
  for (const [table, where] of Object.entries(SEEDED_ROWS)) {
    if (names.includes(table)) await trx.raw(`DELETE FROM ${quoteIdent(table)} WHERE ${where}`);
  }
  for (const t of catalog.triggers) await trx.raw(`ALTER TABLE ${quoteIdent(t.table)} DISABLE TRIGGER ${quoteIdent(t.name)}`);
  for (const fk of catalog.foreignKeys) await trx.raw(`ALTER TABLE ${quoteIdent(fk.table)} DROP CONSTRAINT ${quoteIdent(fk.name)}`);
}

/** Inserts the rows of `events` (tables in the order given); returns the rows per table. */
export async function loadRows(
  trx: Knex.Transaction, catalog: Catalog, events: AsyncIterable<SnapshotEvent>,
  onRows: (table: Table, rows: readonly string[]) => void = () => undefined,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let table: Table | undefined;
  let insert = '';
  let pending: string[] = [];
  let bytes = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    await trx.raw(insert, [`[${pending.join(',')}]`]);
    pending = [];
    bytes = 0;
  };
  for await (const event of events) {
    if (event.kind === 'table') {
      await flush();
      table = event.table;
      const target = catalog.tables.find((t) => t.name === event.table.name);
      if (!target) throw new DomainError('backup_invalid', `The backup holds a table the schema does not have: ${event.table.name}.`);
      const types = new Map(target.columns.map((c) => [c.name, c.type]));
      const columns = event.table.columns.map((c) => quoteIdent(c.name)).join(', ');
      const values = event.table.columns.map((c, i) => `(e.v->>${i})::${types.get(c.name)}`).join(', ');
      insert = `INSERT INTO ${quoteIdent(target.name)} (${columns}) OVERRIDING SYSTEM VALUE SELECT ${values} FROM json_array_elements(?::json) AS e(v)`;
      counts[table.name] = 0;
      continue;
    }
    if (!table) throw new DomainError('backup_invalid', 'The backup holds rows before any table.');
    onRows(table, event.rows);
    counts[table.name]! += event.rows.length;
    for (const row of event.rows) {
      pending.push(row);
      bytes += row.length;
      if (pending.length >= BATCH_ROWS || bytes >= BATCH_BYTES) await flush();
    }
  }
  await flush();
  return counts;
}

/** Sets the sequences, resumes the triggers and checks every table holds the rows expected. */
export async function finishLoad(trx: Knex.Transaction, catalog: Catalog, sequences: readonly SequenceValue[], expected: Record<string, number>): Promise<void> {
  for (const s of sequences) {
    if (!catalog.sequences.includes(s.name)) throw new DomainError('backup_invalid', `The backup holds a sequence the schema does not have: ${s.name}.`);
    await trx.raw('SELECT setval(?::regclass, ?::bigint, ?)', [quoteIdent(s.name), s.lastValue, s.isCalled]);
  }
  // The deferred constraint triggers (O2: one Owner per organization) run now, so the triggers
  // can be resumed (a table with pending trigger events cannot be altered) and a violation is reported here.
  await trx.raw('SET CONSTRAINTS ALL IMMEDIATE');
  // Each foreign key comes back under its name and definition, checking every row in one pass.
  for (const fk of catalog.foreignKeys) await trx.raw(`ALTER TABLE ${quoteIdent(fk.table)} ADD CONSTRAINT ${quoteIdent(fk.name)} ${fk.definition}`);
  for (const t of catalog.triggers) await trx.raw(`ALTER TABLE ${quoteIdent(t.table)} ENABLE TRIGGER ${quoteIdent(t.name)}`);
  for (const table of catalog.tables) {
    const rows = (await trx.raw(`SELECT count(*) AS n FROM ${quoteIdent(table.name)}`) as { rows: { n: string }[] }).rows;
    const n = Number(rows[0]!.n);
    if (n !== (expected[table.name] ?? 0)) {
      throw new DomainError('backup_invalid', `${table.name} holds ${n} rows after loading, not the ${expected[table.name] ?? 0} expected; nothing was restored.`);
    }
  }
}
