/**
 * What every CLI command shares: the `--json` flag, opening the runtime (the same services the
 * server uses, acting as the operator), printing the result or the error under the output
 * contract, and closing the runtime again so the process can exit.
 */
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig, type Config } from '../config.js';
import { createLogger, type Logger } from '../logger.js';
import type { Runtime } from '../runtime.js';
import type { Services } from '../services/index.js';
import type { Actor } from '../types.js';
import { EXIT_OK, printError, printResult, type CliIo } from './output.js';

/**
 * Ctrl-C as a command sees it: SIGINT of this process when the CLI runs the command itself, a
 * message from the CLI process when a running server runs it (control-server.ts).
 */
export interface Interrupts {
  /** Calls `listener` on every interrupt; returns the function that stops listening. */
  on(listener: () => void): () => void;
  /** A second Ctrl-C: leave at once (a server running the command only stops listening). */
  exitNow(code: number): void;
}

export const processInterrupts: Interrupts = {
  on(listener) {
    process.on('SIGINT', listener);
    return () => { process.off('SIGINT', listener); };
  },
  exitNow: (code) => process.exit(code),
};

/**
 * A running server that runs a forwarded command in its own process: its runtime (already
 * migrated, kept open), its configuration, and the log level the CLI process asked for.
 */
export interface CliHost {
  readonly runtime: Runtime;
  readonly config: Config;
  readonly logLevel: Config['logLevel'];
}

/** Mutable state of one CLI invocation. */
export interface CliState {
  readonly io: CliIo;
  readonly env: Readonly<Record<string, string | undefined>>;
  exitCode: number;
  /** Set by long-running commands (serve) so main does not treat returning as finishing. */
  keepAlive: boolean;
  readonly interrupts: Interrupts;
  /** The directory relative file arguments are read from (the CLI process's, also when forwarded). */
  readonly cwd: string;
  /** Set when a running server runs this command for a CLI process (control-server.ts). */
  readonly host?: CliHost;
}

/** A file argument as an absolute path, relative to the directory the operator ran the CLI in. */
export const inputPath = (state: CliState, file: string): string => path.resolve(state.cwd, file);

export interface ActionContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly runtime: Runtime;
  readonly services: Services;
  /** Everything the CLI does is done by the operator (audit entries say `operator`). */
  readonly actor: Actor;
  readonly io: CliIo;
  readonly json: boolean;
}

export interface ActionArgs {
  /** Positional arguments, in declaration order. */
  readonly args: readonly string[];
  /** Options without `json`. */
  readonly opts: Readonly<Record<string, unknown>>;
}

/** A hidden `--json` on the program and on command groups, so `orgward domain --json` is a usage error in JSON too. */
export const hiddenJson = () => new Option('--json').hideHelp();

/** Adds a group of commands (`org`, `domain`, …). */
export function group(parent: Command, name: string, description: string): Command {
  return parent.command(name).description(description).addOption(hiddenJson());
}

/** Adds a leaf command that takes `--json`. */
export function leaf(parent: Command, nameAndArgs: string, description: string): Command {
  return parent.command(nameAndArgs).description(description)
    .addOption(new Option('--json', 'print exactly one JSON object on stdout'));
}

/** Options parse `--org` etc. the same way everywhere. */
export const orgOption = () => new Option('--org <sid>', 'organization SID (OR…)').makeOptionMandatory();

export function parseCount(min: number, max: number) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    }
    return n;
  };
}

export interface ActionOptions<T = object> {
  /** Apply pending migrations before the handler runs (default true; `migrate` itself says false). */
  readonly migrate?: boolean;
  /** The exit status for a result that was printed (default 0), e.g. 130 for an import stopped by Ctrl-C. */
  readonly exitCode?: (result: T) => number;
}

/**
 * Wraps a handler as a commander action. The handler returns the result object printed with
 * `--json`; `human` renders it for a terminal.
 */
export function action<T extends object>(
  state: CliState,
  handler: (ctx: ActionContext, input: ActionArgs) => Promise<T>,
  human: (result: T) => string,
  options: ActionOptions<T> = {},
) {
  return async (...params: unknown[]): Promise<void> => {
    const command = params[params.length - 1] as Command;
    const json = command.optsWithGlobals<{ json?: boolean }>().json === true;
    const { json: _json, ...opts } = command.opts<{ json?: boolean }>();
    const args = (command.processedArgs as unknown[]).map((a) => a as string);
    let runtime: Runtime | undefined;
    let owned: Runtime | undefined;
    try {
      const config = state.host?.config ?? loadConfig(state.env);
      const logger = createLogger(state.host?.logLevel ?? config.logLevel, (line) => state.io.stderr.write(line + '\n'));
      if (state.host) {
        // The server's runtime: migrated when it became ready, closed only when it stops.
        runtime = state.host.runtime;
      } else {
        // Loaded on demand: usage errors and --help need no database libraries.
        const { createRuntime } = await import('../runtime.js');
        runtime = owned = await createRuntime(config, logger);
        // The CLI applies pending migrations like `npm start` does, so it never runs against an
        // older schema than its code expects (knex's lock table serialises concurrent runs).
        if (options.migrate !== false) await runtime.migrate();
      }
      const ctx: ActionContext = {
        config, logger, runtime, services: runtime.services, actor: { kind: 'operator' }, io: state.io, json,
      };
      const result = await handler(ctx, { args, opts });
      printResult(state.io, json, result, human(result));
      state.exitCode = options.exitCode ? options.exitCode(result) : EXIT_OK;
    } catch (error) {
      state.exitCode = printError(state.io, json, error);
    } finally {
      await owned?.close().catch(() => undefined);
    }
  };
}
