/**
 * Entry of the `orgward` operator CLI (bin/orgward.js imports the built copy). Reads the
 * configuration from the environment through loadConfig, like the server does.
 */
import { processIo } from './output.js';
import { runCli } from './program.js';

// stdout carries only the command's result: libraries that log through console (knex warns with
// console.log when a connection drops) write to stderr instead.
for (const method of ['log', 'info', 'debug', 'warn'] as const) console[method] = console.error;

const { exitCode, keepAlive } = await runCli(process.argv.slice(2), processIo, process.env);
process.exitCode = exitCode;
// A finished command exits once its handles are closed; this unref'd timer only fires if some
// library handle lingers, so the CLI never hangs after printing its result.
if (!keepAlive) setTimeout(() => process.exit(exitCode), 2000).unref();
