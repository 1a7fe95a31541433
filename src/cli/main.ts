/**
 * Entry of the `orgward` operator CLI (bin/orgward.js imports the built copy). Reads the
 * configuration from the environment through loadConfig, like the server does. When a server
 * holds the embedded database, the command runs in that server (forward.ts); else here.
 */
import { forwardToServer } from './forward.js';
import { processIo } from './output.js';

// stdout carries only the command's result: libraries that log through console (knex warns with
// console.log when a connection drops) write to stderr instead.
for (const method of ['log', 'info', 'debug', 'warn'] as const) console[method] = console.error;

const argv = process.argv.slice(2);
const forwarded = await forwardToServer(argv, processIo, process.env);
// Loaded only when the command runs here: a forwarded one needs none of the program's modules.
const { exitCode, keepAlive } = forwarded !== undefined
  ? { exitCode: forwarded, keepAlive: false }
  : await (await import('./program.js')).runCli(argv, processIo, process.env);
process.exitCode = exitCode;
// A finished command exits once its handles are closed; this unref'd timer only fires if some
// library handle lingers, so the CLI never hangs after printing its result.
if (!keepAlive) setTimeout(() => process.exit(exitCode), 2000).unref();
