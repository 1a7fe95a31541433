/**
 * Reads every table inside one snapshot: the caller's transaction is REPEATABLE READ, so all
 * tables are seen as of one instant while the server keeps writing (on PostgreSQL; the embedded
 * database has one connection, so its requests wait for the backup's transaction). Rows stream
 * through a cursor in batches, never a whole table in memory. Each row is a JSON array of the
 * columns' PostgreSQL text forms (null for NULL): the text form round-trips every type exactly
 * (timestamps with their offset, jsonb, arrays, bytea), as COPY relies on.
 */
import type { Knex } from 'knex';
import { quoteIdent, type Catalog, type Table } from './catalog.js';

export type SnapshotEvent =
  | { readonly kind: 'table'; readonly table: Table }
  | { readonly kind: 'rows'; readonly rows: readonly string[] };

export interface SequenceValue {
  readonly name: string;
  readonly lastValue: string;
  readonly isCalled: boolean;
}

const rowsOf = <T>(result: unknown): T[] => (result as { rows: T[] }).rows;

/**
 * Starts the snapshot: REPEATABLE READ, read only, and the settings that make the text forms
 * unambiguous (ISO dates, UTC, exact floats), as pg_dump sets them. Must be the transaction's first statement.
 */
export async function beginSnapshot(trx: Knex.Transaction): Promise<void> {
  await trx.raw('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
  await setTextForms(trx);
}

/** Session settings under which every value's text form reads back as the same value. */
export async function setTextForms(trx: Knex.Transaction): Promise<void> {
  for (const setting of ["SET LOCAL DateStyle = 'ISO, YMD'", "SET LOCAL IntervalStyle = 'postgres'", "SET LOCAL TimeZone = 'UTC'", 'SET LOCAL extra_float_digits = 3']) {
    await trx.raw(setting);
  }
}

function selectRows(table: Table): string {
  const t = quoteIdent(table.name);
  const values = `to_json(ARRAY[${table.columns.map((c) => `t.${quoteIdent(c.name)}::text`).join(', ')}]::text[])::text AS r`;
  if (!table.selfReference) return `SELECT ${values} FROM ${t} AS t`;
  // Parents before children: rows by their depth under the rows that reference no other row.
  const fk = quoteIdent(table.selfReference.column);
  const key = quoteIdent(table.selfReference.references);
  return `WITH RECURSIVE tree(k, depth) AS (
      SELECT ${key}, 0 FROM ${t} WHERE ${fk} IS NULL OR ${fk} = ${key}
      UNION ALL SELECT c.${key}, tree.depth + 1 FROM ${t} AS c JOIN tree ON c.${fk} = tree.k WHERE c.${fk} <> c.${key}
    ) SELECT ${values} FROM ${t} AS t JOIN tree ON tree.k = t.${key} ORDER BY tree.depth`;
}

/** Every table of `catalog`, in its order, in batches of up to `batchSize` rows. */
export async function* readSnapshot(trx: Knex.Transaction, catalog: Catalog, batchSize = 2000): AsyncGenerator<SnapshotEvent> {
  for (const table of catalog.tables) {
    yield { kind: 'table', table };
    if (table.columns.length === 0) continue;
    await trx.raw(`DECLARE orgward_backup NO SCROLL CURSOR FOR ${selectRows(table)}`);
    let read = 0;
    for (;;) {
      const batch = rowsOf<{ r: string }>(await trx.raw(`FETCH ${batchSize} FROM orgward_backup`)).map((row) => row.r);
      if (batch.length === 0) break;
      read += batch.length;
      yield { kind: 'rows', rows: batch };
      if (batch.length < batchSize) break;
    }
    await trx.raw('CLOSE orgward_backup');
    if (table.selfReference) {
      const total = Number(rowsOf<{ n: string }>(await trx.raw(`SELECT count(*) AS n FROM ${quoteIdent(table.name)}`))[0]!.n);
      if (total !== read) throw new Error(`${table.name}: ${total - read} row(s) reference each other in a cycle; the backup cannot order them`);
    }
  }
}

/** Every sequence's state, to be set again on load as pg_dump does. */
export async function readSequences(trx: Knex.Transaction, catalog: Catalog): Promise<SequenceValue[]> {
  const values: SequenceValue[] = [];
  for (const name of catalog.sequences) {
    const row = rowsOf<{ last_value: string; is_called: boolean }>(await trx.raw(`SELECT last_value::text AS last_value, is_called FROM ${quoteIdent(name)}`))[0]!;
    values.push({ name, lastValue: row.last_value, isCalled: row.is_called });
  }
  return values;
}
