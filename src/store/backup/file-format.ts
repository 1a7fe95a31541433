/**
 * The backup file: gzip (node:zlib, streamed), lines of UTF-8 text.
 *
 *   line 1      the header, JSON: {"format":"orgward-backup","version":1,"schema","createdAt",
 *               "database","keyFingerprint","tables":[{"name","columns","rows","sha256"}],"sequences"}
 *   then        per table, in the header's order: `#table NAME`, then one line per row (a JSON
 *               array of the columns' text forms, snapshot.ts)
 *   last line   `#end`
 *
 * `sha256` is the SHA-256 of the table's row lines, each followed by a newline. The header is
 * written last, as its own gzip member in front of the body (gzip readers join members), so it can
 * carry the counts and checksums while the body streams to disk; the file appears under its name
 * only once complete (rename), mode 0600 (it holds password hashes and sealed secrets).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGunzip, createGzip, gzipSync } from 'node:zlib';
import { DomainError } from '../../errors.js';
import type { Column } from './catalog.js';
import type { SequenceValue, SnapshotEvent } from './snapshot.js';

export const BACKUP_FORMAT = 'orgward-backup';
export const BACKUP_VERSION = 1;

export interface BackupTable {
  readonly name: string;
  readonly columns: readonly Column[];
  readonly rows: number;
  readonly sha256: string;
}

export interface BackupHeader {
  readonly format: typeof BACKUP_FORMAT;
  readonly version: number;
  /** The latest migration applied to the database backed up. */
  readonly schema: string;
  readonly createdAt: string;
  readonly database: 'embedded' | 'postgresql';
  /** Identifies (never reveals) the secret key that sealed the backup's secrets (security/key-fingerprint.ts). */
  readonly keyFingerprint: string;
  readonly tables: readonly BackupTable[];
  readonly sequences: readonly SequenceValue[];
}

const invalid = (message: string, cause?: unknown) => new DomainError('backup_invalid', message, cause === undefined ? {} : { cause });

/** The body's lines for `events`, hashing and counting each table's rows into `tables`. */
async function* bodyLines(events: AsyncIterable<SnapshotEvent>, tables: BackupTable[]): AsyncGenerator<string> {
  let hash: ReturnType<typeof createHash> | undefined;
  let current: { name: string; columns: readonly Column[]; rows: number } | undefined;
  const close = () => { if (current && hash) tables.push({ ...current, sha256: hash.digest('hex') }); };
  for await (const event of events) {
    if (event.kind === 'table') {
      close();
      current = { name: event.table.name, columns: event.table.columns, rows: 0 };
      hash = createHash('sha256');
      yield `#table ${event.table.name}\n`;
    } else {
      const text = event.rows.join('\n') + '\n';
      hash!.update(text);
      current!.rows += event.rows.length;
      yield text;
    }
  }
  close();
  yield '#end\n';
}

/**
 * Writes `events` to `file` and returns the header written. `header` gets the tables' counts and
 * checksums. Nothing is left under `file` unless the whole backup was written.
 */
export async function writeBackupFile(
  file: string, events: AsyncIterable<SnapshotEvent>, header: () => Omit<BackupHeader, 'tables'>, options: { overwrite: boolean },
): Promise<{ header: BackupHeader; bytes: number }> {
  if (!options.overwrite && fs.existsSync(file)) {
    throw new DomainError('conflict', `${file} exists; choose another name, or add --force to replace it.`);
  }
  const suffix = `.${process.pid}.${Date.now()}`;
  const bodyFile = `${file}${suffix}.body`;
  const partFile = `${file}${suffix}.part`;
  const tables: BackupTable[] = [];
  try {
    await pipeline(Readable.from(bodyLines(events, tables)), createGzip({ level: 6 }), fs.createWriteStream(bodyFile, { mode: 0o600 }));
    const full: BackupHeader = { ...header(), tables };
    const out = fs.createWriteStream(partFile, { mode: 0o600 });
    out.write(gzipSync(JSON.stringify(full) + '\n'));
    await pipeline(fs.createReadStream(bodyFile), out);
    const fd = fs.openSync(partFile, 'r');
    try { fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
    fs.renameSync(partFile, file);
    return { header: full, bytes: fs.statSync(file).size };
  } finally {
    fs.rmSync(bodyFile, { force: true });
    fs.rmSync(partFile, { force: true });
  }
}

/** The file's lines, unzipped; a damaged or truncated gzip stream becomes backup_invalid. */
async function* fileLines(file: string): AsyncGenerator<string> {
  let input: fs.ReadStream;
  try {
    fs.accessSync(file, fs.constants.R_OK);
    input = fs.createReadStream(file);
  } catch (error) {
    throw new DomainError('invalid_input', `Cannot read ${file}.`, { cause: error });
  }
  const gunzip = createGunzip();
  input.on('error', (error) => gunzip.destroy(error));
  input.pipe(gunzip);
  gunzip.setEncoding('utf8');
  let pending = '';
  try {
    for await (const chunk of gunzip as AsyncIterable<string>) {
      pending += chunk;
      let start = 0;
      let newline: number;
      while ((newline = pending.indexOf('\n', start)) >= 0) {
        yield pending.slice(start, newline);
        start = newline + 1;
      }
      pending = pending.slice(start);
    }
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw invalid(`${file} is damaged or truncated (${(error as Error).message}); nothing was restored.`, error);
  } finally {
    input.destroy();
  }
  if (pending !== '') yield pending;
}

function parseHeader(line: string | undefined, file: string): BackupHeader {
  let h: Partial<BackupHeader> | undefined;
  try { h = JSON.parse(line ?? '') as Partial<BackupHeader>; } catch { h = undefined; }
  if (!h || h.format !== BACKUP_FORMAT) throw invalid(`${file} is not an Orgward backup (orgward backup --out FILE makes one).`);
  if (h.version !== BACKUP_VERSION) {
    throw new DomainError('backup_schema_newer', `${file} is in backup format ${String(h.version)}, which this Orgward does not read; upgrade Orgward first.`);
  }
  if (typeof h.schema !== 'string' || !Array.isArray(h.tables) || !Array.isArray(h.sequences) || typeof h.keyFingerprint !== 'string') {
    throw invalid(`${file} has a damaged header.`);
  }
  return h as BackupHeader;
}

/** Reads only the header (the first line). */
export async function readHeader(file: string): Promise<BackupHeader> {
  for await (const line of fileLines(file)) return parseHeader(line, file);
  throw invalid(`${file} is empty.`);
}

/**
 * The file's tables and rows as snapshot events, checking as it goes that each table holds the
 * rows the header counts, with the header's checksum, in the header's order, up to `#end`. A
 * mismatch throws (so a load in progress rolls back).
 */
export async function* readBackupEvents(file: string, batchSize = 2000): AsyncGenerator<SnapshotEvent> {
  let header: BackupHeader | undefined;
  let index = -1;
  let rows: string[] = [];
  let count = 0;
  let hash = createHash('sha256');
  let ended = false;
  const check = () => {
    if (index < 0) return;
    const t = header!.tables[index]!;
    if (count !== t.rows || hash.digest('hex') !== t.sha256) {
      throw invalid(`${file}: table ${t.name} does not match its checksum or row count (the file is damaged); nothing was restored.`);
    }
  };
  for await (const line of fileLines(file)) {
    if (!header) { header = parseHeader(line, file); continue; }
    if (ended) throw invalid(`${file} holds data after its end mark (the file is damaged); nothing was restored.`);
    if (line.startsWith('#')) {
      if (rows.length > 0) { yield { kind: 'rows', rows }; rows = []; }
      check();
      if (line === '#end') { ended = true; continue; }
      index += 1;
      const t = header.tables[index];
      if (!t || line !== `#table ${t.name}`) throw invalid(`${file} lists its tables out of order (the file is damaged); nothing was restored.`);
      count = 0;
      hash = createHash('sha256');
      yield { kind: 'table', table: { name: t.name, columns: t.columns } };
      continue;
    }
    if (index < 0) throw invalid(`${file} holds rows before any table (the file is damaged).`);
    hash.update(line + '\n');
    count += 1;
    rows.push(line);
    if (rows.length >= batchSize) { yield { kind: 'rows', rows }; rows = []; }
  }
  if (!header) throw invalid(`${file} is empty.`);
  if (!ended || index !== header.tables.length - 1) throw invalid(`${file} is truncated (no end mark after the last table); nothing was restored.`);
}

/** Reads the whole file once, checking every table's count and checksum, without a database. */
export async function verifyBackupFile(file: string): Promise<void> {
  for await (const _event of readBackupEvents(file)) { /* checked as read */ }
}
