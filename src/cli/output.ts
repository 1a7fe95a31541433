/**
 * The CLI's output contract in one place. With `--json` a command prints exactly one JSON object
 * on stdout (its result, or `{"error":{"code","message"}}`); without it, readable lines. Logs and
 * progress go to stderr. Exit codes: 0 success, 1 domain or runtime error, 2 usage error.
 */
import { ConfigError } from '../config.js';
import { isDomainError } from '../errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export const processIo: CliIo = { stdout: process.stdout, stderr: process.stderr };

/** A mistake in how the command was called (bad option value, unreadable file): exit 2. */
export class UsageError extends Error {
  constructor(message: string, readonly code = 'usage') {
    super(message);
    this.name = 'UsageError';
  }
}

/** Prints a command's result: the object itself with --json, else the readable text. */
export function printResult(io: CliIo, json: boolean, result: object, human: string): void {
  io.stdout.write(json ? JSON.stringify(result) + '\n' : human.replace(/\n*$/, '\n'));
}

export interface CliErrorBody {
  readonly code: string;
  readonly message: string;
  readonly details?: unknown;
}

/** What an error means to an operator, and the exit code it earns. */
export function describeError(error: unknown): { body: CliErrorBody; exitCode: number } {
  if (error instanceof UsageError) return { body: { code: error.code, message: error.message }, exitCode: EXIT_USAGE };
  if (error instanceof ConfigError) {
    return { body: { code: 'invalid_config', message: error.message, details: { problems: error.problems } }, exitCode: EXIT_USAGE };
  }
  if (isDomainError(error)) {
    const details = error.details && Object.keys(error.details).length > 0 ? { details: error.details } : {};
    return { body: { code: error.code, message: error.message, ...details }, exitCode: EXIT_FAILURE };
  }
  // The operator runs this on their own machine: the message helps more than it could leak.
  const message = error instanceof Error ? error.message : String(error);
  return { body: { code: 'internal_error', message: `Unexpected error: ${message}` }, exitCode: EXIT_FAILURE };
}

/** Prints an error under the contract and returns the exit code. */
export function printError(io: CliIo, json: boolean, error: unknown): number {
  const { body, exitCode } = describeError(error);
  if (json) io.stdout.write(JSON.stringify({ error: body }) + '\n');
  else {
    io.stderr.write(`error (${body.code}): ${body.message}\n`);
    // Details carry what the operator needs next (the TXT record to publish, the form to enter).
    if (body.details && typeof body.details === 'object') {
      for (const [k, v] of Object.entries(body.details)) io.stderr.write(`  ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}\n`);
    }
  }
  return exitCode;
}

/** Readable `key: value` lines for results without a dedicated text form. */
export function keyValues(result: object): string {
  return Object.entries(result)
    .map(([k, v]) => `${k}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join('\n');
}
