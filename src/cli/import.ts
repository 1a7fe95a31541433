/**
 * `orgward import users --org SID FILE.csv`: bulk user import (B1, B2). On a terminal a progress
 * bar runs on stderr; afterwards a summary lists the refused rows with their line numbers.
 */
import fs from 'node:fs';
import { Command } from 'commander';
import cliProgress from 'cli-progress';
import type { BulkImportResult } from '../services/bulk-import.js';
import { action, group, leaf, orgOption, type CliState } from './command-kit.js';
import { UsageError, type CliIo } from './output.js';

function summary(r: BulkImportResult): string {
  const lines = [`${r.applied.length} applied, ${r.skipped.length} unchanged, ${r.errors.length} refused.`];
  if (r.errors.length > 0) {
    lines.push('Refused rows:');
    for (const e of r.errors) lines.push(`  line ${e.line}: ${e.email || '(no email)'}: ${e.message} (${e.code})`);
  }
  return lines.join('\n');
}

/** A progress bar on stderr when it is a terminal and the output is for a person. */
function progress(io: CliIo, json: boolean) {
  if (json || !io.stderr.isTTY) return { onProgress: undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar({ stream: io.stderr, format: 'importing [{bar}] {value}/{total} rows', hideCursor: true }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    onProgress(done: number, total: number) {
      if (!started) { bar.start(total, done); started = true; } else bar.update(done);
    },
    stop: () => { if (started) bar.stop(); },
  };
}

export function registerImportCommands(program: Command, state: CliState): void {
  const imports = group(program, 'import', 'bulk imports');

  leaf(imports, 'users', 'import users from a CSV file with the header email,role[,name] (bulk import must be on: org set --bulk-import on)')
    .addOption(orgOption())
    .argument('<file>', 'CSV file')
    .action(action(state, async ({ services, actor, io, json }, { args, opts }) => {
      let csv: string;
      try {
        csv = fs.readFileSync(args[0]!, 'utf8');
      } catch (error) {
        throw new UsageError(`Cannot read ${args[0]}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, 'file_unreadable');
      }
      const bar = progress(io, json);
      try {
        return await services.bulkImport.importUsers(actor, opts.org as string, csv, bar.onProgress ? { onProgress: bar.onProgress } : {});
      } finally {
        bar.stop();
      }
    }, summary));
}
