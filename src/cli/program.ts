/**
 * The `orgward` command line: one commander program, one file per command group. Usage errors
 * (unknown command or option, missing or malformed value) follow the same output contract as
 * every other error and exit 2.
 */
import { Command, CommanderError } from 'commander';
import { hiddenJson, processInterrupts, type CliHost, type CliState, type Interrupts } from './command-kit.js';
import { EXIT_OK, EXIT_USAGE, printError, UsageError, type CliIo } from './output.js';
import { registerAccountCommands } from './account.js';
import { registerDomainCommands } from './domain.js';
import { registerImportCommands } from './import.js';
import { registerOrgCommands } from './org.js';
import { registerScimCommands } from './scim.js';
import { registerSecretsCommands } from './secrets.js';
import { registerSsoCommands } from './sso.js';
import { registerSystemCommands } from './system.js';
import { registerUserCommands } from './user.js';
import { registerApiClientCommands } from './api-client.js';
import { registerWebhookCommands } from './webhook.js';
import { registerRoleCommands } from './role.js';
import { registerBackupCommands } from './backup.js';
import { registerAppCommands } from './app.js';

export function buildProgram(state: CliState, jsonRequested: boolean): Command {
  const program = new Command('orgward')
    .description('Operate Orgward: organizations, domains, SCIM tokens, SSO connections, users and imports.\n' +
      'Every command takes --json and then prints exactly one JSON object on stdout.')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => state.io.stdout.write(s),
      writeErr: (s) => state.io.stderr.write(s),
      // With --json the error is printed once, as JSON on stdout (see runCli).
      outputError: (s, write) => { if (!jsonRequested) write(s); },
    })
    .showHelpAfterError(!jsonRequested)
    // Each command reads only the options written after its name, so a leaf's --json stays its own.
    .enablePositionalOptions()
    .addOption(hiddenJson());
  registerSystemCommands(program, state);
  registerOrgCommands(program, state);
  registerDomainCommands(program, state);
  registerUserCommands(program, state);
  registerImportCommands(program, state);
  registerScimCommands(program, state);
  registerSsoCommands(program, state);
  registerAccountCommands(program, state);
  registerSecretsCommands(program, state);
  registerApiClientCommands(program, state);
  registerRoleCommands(program, state);
  registerBackupCommands(program, state);
  registerWebhookCommands(program, state);
  registerAppCommands(program, state);
  return program;
}

/** Where a command runs: in this CLI process (the defaults), or in a running server for a CLI process. */
export interface RunContext {
  readonly interrupts?: Interrupts;
  readonly cwd?: string;
  readonly host?: CliHost;
}

/** Runs one invocation; resolves with the exit code (serve sets `state.keepAlive` and keeps running). */
export async function runCli(argv: readonly string[], io: CliIo, env: Readonly<Record<string, string | undefined>>, context: RunContext = {}): Promise<{ exitCode: number; keepAlive: boolean }> {
  const state: CliState = {
    io, env, exitCode: EXIT_OK, keepAlive: false,
    interrupts: context.interrupts ?? processInterrupts, cwd: context.cwd ?? process.cwd(), ...(context.host && { host: context.host }),
  };
  const jsonRequested = argv.includes('--json');
  const program = buildProgram(state, jsonRequested);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return { exitCode: EXIT_OK, keepAlive: false };
    if (jsonRequested) {
      const message = error.code === 'commander.help' ? 'A subcommand is required; see --help.' : error.message.replace(/^error:\s*/, '');
      printError(io, true, new UsageError(message));
    }
    return { exitCode: EXIT_USAGE, keepAlive: false };
  }
  return { exitCode: state.exitCode, keepAlive: state.keepAlive };
}
