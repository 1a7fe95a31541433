/**
 * `orgward backup`, `orgward restore` and `orgward move-to-postgres` (README "Backup and restore",
 * "Moving to PostgreSQL"). A backup runs where the database is: in the server when one holds the
 * embedded database (forwarded like every command), else here. Restore and move write a database
 * no server may be using, so a server refuses to run them for a CLI.
 */
import path from 'node:path';
import { Option, type Command } from 'commander';
import { loadConfig } from '../config.js';
import { DomainError } from '../errors.js';
import { createLogger } from '../logger.js';
import { keyFingerprint } from '../security/key-fingerprint.js';
import { action, inputPath, leaf, type CliState } from './command-kit.js';
import { EXIT_OK, printError, printResult, UsageError } from './output.js';

const rowsLine = (tables: Record<string, number>) => {
  const total = Object.values(tables).reduce((n, r) => n + r, 0);
  return `${total} rows in ${Object.keys(tables).length} tables`;
};

function refuseInServer(state: CliState, what: string): void {
  if (state.host) {
    throw new DomainError('server_running',
      `An Orgward server is using this DATA_DIR; ${what} needs a database no server is using. Stop the server (SIGTERM), run the command again, then start the server.`);
  }
}

/** Runs `handler` with the CLI's configuration and prints its result under the output contract (no runtime opened). */
function standalone<T extends object>(state: CliState, handler: (opts: Record<string, unknown>, args: string[]) => Promise<T>, human: (r: T) => string) {
  return async (...params: unknown[]): Promise<void> => {
    const command = params[params.length - 1] as Command;
    const json = command.optsWithGlobals<{ json?: boolean }>().json === true;
    try {
      const result = await handler(command.opts(), (command.processedArgs as unknown[]).map((a) => a as string));
      printResult(state.io, json, result, human(result));
      state.exitCode = EXIT_OK;
    } catch (error) {
      state.exitCode = printError(state.io, json, error);
    }
  };
}

export function registerBackupCommands(program: Command, state: CliState): void {
  leaf(program, 'backup', 'write a consistent, compressed backup of every table (also while the server runs)')
    .addOption(new Option('--out <file>', 'the backup file to write (gzip)').makeOptionMandatory())
    .option('--force', 'replace FILE if it exists')
    .action(action(state, async ({ runtime, config }, { opts }) => {
      const { backupDatabase } = await import('../store/backup/backup.js');
      const file = inputPath(state, opts.out as string);
      return backupDatabase(runtime.db, file, {
        database: config.databaseUrl ? 'postgresql' : 'embedded', primaryKey: runtime.keyring.primary, overwrite: opts.force === true,
      });
    }, (r) => `Backed up ${rowsLine(r.tables)} to ${r.file} (${r.bytes} bytes).`, { migrate: false }));

  leaf(program, 'restore', 'restore a backup into an empty database: a new DATA_DIR, or an empty PostgreSQL database (DATABASE_URL)')
    .argument('<file>', 'the backup file (orgward backup --out FILE)')
    .action(standalone(state, async (_opts, [file]) => {
      refuseInServer(state, 'restore');
      const config = loadConfig(state.env);
      const logger = createLogger(config.logLevel, (line) => state.io.stderr.write(line + '\n'));
      const { restoreBackup } = await import('../store/backup/restore.js');
      const restored = await restoreBackup(inputPath(state, file!), {
        databaseUrl: config.databaseUrl, dataDir: config.dataDir, secretKeys: config.secretKeys, timeoutMs: config.dbTimeoutMs, logger,
      });
      return { restored };
    }, (r) => `Restored ${rowsLine(r.restored)}. Start Orgward on this database; it applies any newer migrations.`));

  leaf(program, 'move-to-postgres', 'copy the embedded database (DATA_DIR) into an empty PostgreSQL database')
    .addOption(new Option('--to <url>', 'the PostgreSQL database to copy into: postgres://user:password@host:5432/db').makeOptionMandatory())
    .action(standalone(state, async (opts) => {
      refuseInServer(state, 'move-to-postgres (a cut-over: nothing written after the copy would move)');
      const config = loadConfig(state.env);
      if (config.databaseUrl) throw new UsageError('move-to-postgres copies the embedded database (DATA_DIR): unset DATABASE_URL; --to names the PostgreSQL database.');
      const to = opts.to as string;
      if (!/^postgres(ql)?:\/\//.test(to)) throw new UsageError('--to must be a postgres:// or postgresql:// URL.');
      const logger = createLogger(config.logLevel, (line) => state.io.stderr.write(line + '\n'));
      const [{ lockDataDir }, { createDb }, { moveToPostgres }, { loadOrCreateKeyFile, KEY_FILE }] = await Promise.all([
        import('../data-dir-lock.js'), import('../store/db.js'), import('../store/backup/move.js'), import('../security/key-file.js'),
      ]);
      const lock = lockDataDir(config.dataDir);
      try {
        // The key that sealed the embedded data must come along: SECRET_KEY if set, else the key file
        // (read, never printed nor logged: the operator copies it from the file).
        const fromFile = config.secretKeys.length === 0;
        const key = fromFile ? loadOrCreateKeyFile(config.dataDir).key : config.secretKeys[0]!;
        const source = createDb({ databaseUrl: undefined, dataDir: config.dataDir, logger });
        let copied: Record<string, number>;
        try {
          copied = await moveToPostgres(source, to, { timeoutMs: config.dbTimeoutMs, logger });
        } finally {
          await source.destroy().catch(() => undefined);
        }
        const keyFile = path.join(config.dataDir, KEY_FILE);
        return {
          copied,
          set: { DATABASE_URL: to },
          secretKey: fromFile
            ? { from: keyFile, fingerprint: keyFingerprint(key), note: `set SECRET_KEY to the contents of ${keyFile} on every instance` }
            : { from: 'SECRET_KEY', fingerprint: keyFingerprint(key), note: 'keep the same SECRET_KEY (or SECRET_KEYS) on every instance' },
        };
      } finally {
        lock.release();
      }
    }, (r) => [
      `Copied ${rowsLine(r.copied)} into PostgreSQL; counts and constraints checked.`,
      'Stop Orgward, then start it with:',
      `  DATABASE_URL=${r.set.DATABASE_URL}`,
      r.secretKey.from === 'SECRET_KEY'
        ? '  and the same SECRET_KEY as now (it opens the encrypted secrets and signs tokens).'
        : `  SECRET_KEY=$(cat ${r.secretKey.from})   (the embedded database's key: it opens the encrypted secrets; keep the file safe)`,
    ].join('\n')));
}
