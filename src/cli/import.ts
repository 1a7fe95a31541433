/**
 * `orgward import users --org SID FILE.csv [--update-roles]`: bulk import (B1, B2). On a terminal
 * a progress bar runs on stderr (elsewhere a log line per chunk, at the default LOG_LEVEL=info);
 * afterwards a summary lists the refused rows with their line numbers.
 *
 * Ctrl-C (SIGINT) stops the import after the chunk in flight: what was applied stays, the partial
 * summary is printed (with --json: the one result object with `interrupted: true`), the cursor
 * that the progress bar hid is shown again, the runtime closes (releasing the embedded data
 * directory's lock) and the exit status is 130. A second Ctrl-C exits at once, still restoring
 * the cursor and releasing the lock. When a running server runs the command (control-server.ts),
 * Ctrl-C reaches it as a message from the CLI process, the bar is drawn on the CLI's terminal, and
 * a second Ctrl-C ends the CLI process while the server stops after the chunk in flight.
 */
import fs from 'node:fs';
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import type { BulkImportResult } from '../services/bulk-import.js';
import type { Logger } from '../logger.js';
import { action, group, inputPath, leaf, orgOption, type CliState } from './command-kit.js';
import { UsageError, type CliIo } from './output.js';

/** The conventional exit status of a command stopped by SIGINT (128 + 2). */
export const EXIT_INTERRUPTED = 130;

function summary(r: BulkImportResult): string {
  const lines = [
    ...(r.interrupted ? [`Interrupted: ${r.remaining} rows were not processed; run the same command again to finish (rows already applied are reported unchanged).`] : []),
    `${r.applied.length} applied, ${r.skipped.length} unchanged, ${r.errors.length} refused.`,
  ];
  const kept = r.skipped.filter((s) => s.reason === 'role_not_updated');
  if (kept.length > 0) lines.push(`${kept.length} existing members kept their role although the file names another; --update-roles changes it.`);
  if (r.errors.length > 0) {
    lines.push('Refused rows:');
    for (const e of r.errors) lines.push(`  line ${e.line}: ${e.email || '(no email)'}: ${e.message} (${e.code})`);
  }
  return lines.join('\n');
}

/** A progress bar on stderr when it is a terminal and the output is for a person; else a log line per chunk. */
function progress(io: CliIo, json: boolean, logger: Logger) {
  if (json || !io.stderr.isTTY) {
    return { onProgress: (done: number, total: number) => logger.info('bulk import progress', { done, total }), stop: () => undefined };
  }
  const bar = new cliProgress.SingleBar({ stream: io.stderr, format: 'importing [{bar}] {value}/{total} rows', hideCursor: true }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    onProgress(done: number, total: number) {
      if (!started) { bar.start(total, done); started = true; } else bar.update(done);
    },
    // Stopping shows the cursor again (hideCursor hid it); safe to call twice.
    stop: () => { if (started) { started = false; bar.stop(); } },
  };
}

export function registerImportCommands(program: Command, state: CliState): void {
  const imports = group(program, 'import', 'bulk imports');

  leaf(imports, 'users', 'import users from a CSV file with the header email,role[,name] (bulk import must be on: org set --bulk-import on)')
    .addOption(orgOption())
    .addOption(new Option('--update-roles', 'change the role of existing members to the one in the file (default: they keep their role)'))
    .argument('<file>', 'CSV file (separated by commas, semicolons or tabs)')
    .action(async (...params: unknown[]) => {
      const interrupt = new AbortController();
      let stopBar: () => void = () => undefined;
      const onSigint = () => {
        if (!interrupt.signal.aborted) { interrupt.abort(); return; }
        // A second Ctrl-C: leave now. The 'exit' handlers release the data directory's lock.
        stopBar();
        state.interrupts.exitNow(EXIT_INTERRUPTED);
      };
      const stopListening = state.interrupts.on(onSigint);
      try {
        await action(state, async ({ services, actor, io, json, logger }, { args, opts }) => {
          let csv: string;
          try {
            csv = fs.readFileSync(inputPath(state, args[0]!), 'utf8');
          } catch (error) {
            throw new UsageError(`Cannot read ${args[0]}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, 'file_unreadable');
          }
          const bar = progress(io, json, logger);
          stopBar = bar.stop;
          try {
            return await services.bulkImport.importUsers(actor, opts.org as string, csv, {
              onProgress: bar.onProgress, updateRoles: opts.updateRoles === true, signal: interrupt.signal,
            });
          } finally {
            bar.stop();
          }
        }, summary, { exitCode: (r) => (r.interrupted || interrupt.signal.aborted ? EXIT_INTERRUPTED : 0) })(...params);
      } finally {
        stopListening();
      }
    });
}
