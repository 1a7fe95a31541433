/** `orgward migrate` and `orgward serve`: the database schema and the HTTP server. */
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { action, leaf, parseCount, type CliState } from './command-kit.js';
import { EXIT_OK, printError, printResult, UsageError } from './output.js';

export function registerSystemCommands(program: Command, state: CliState): void {
  leaf(program, 'migrate', 'apply pending database migrations')
    .action(action(state, async ({ runtime }) => ({ applied: await runtime.migrate() }),
      (r) => (r.applied.length === 0 ? 'The database schema is current.' : `Applied ${r.applied.length} migration(s):\n  ${r.applied.join('\n  ')}`),
      { migrate: false }));

  leaf(program, 'serve', 'migrate, then serve HTTP until SIGTERM or SIGINT')
    .option('--port <n>', 'port to listen on (default: PORT, else 3000; 0 picks a free one)', parseCount(0, 65535))
    .action(async (opts: { port?: number }, command: Command) => {
      const json = command.optsWithGlobals<{ json?: boolean }>().json === true;
      try {
        if (state.host) throw new UsageError('An Orgward server already serves this data directory; `orgward serve` would start a second one.');
        const config = loadConfig(state.env);
        const { serve } = await import('../main.js');
        const server = await serve(config, opts.port);
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : (opts.port ?? config.port);
        const database = config.databaseUrl ? 'postgresql' : 'embedded';
        printResult(state.io, json, { port, database }, `Orgward is serving on port ${port} (${database} database); SIGTERM or Ctrl-C stops it.`);
        state.keepAlive = true;
        state.exitCode = EXIT_OK;
      } catch (error) {
        state.exitCode = printError(state.io, json, error);
      }
    });
}
