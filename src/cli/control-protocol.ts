/**
 * How the CLI hands a command to the server that holds the embedded database (control-server.ts,
 * forward.ts): newline-delimited JSON over a Unix domain socket in DATA_DIR that only the user
 * running the server can open (mode 0600). The CLI sends one request, then `{"interrupt":true}`
 * per Ctrl-C; the server streams the command's stdout and stderr and ends with its exit code.
 */
import path from 'node:path';
import type { LogLevel } from '../logger.js';

export const CONTROL_SOCKET = 'orgward.sock';

export const controlSocketPath = (dataDir: string): string => path.join(dataDir, CONTROL_SOCKET);

/** The first line the CLI sends. */
export interface CommandRequest {
  /** The CLI's arguments as typed (`org create --name … --json`). */
  readonly argv: readonly string[];
  /** Where the operator ran the CLI: relative file arguments are read from here. */
  readonly cwd: string;
  readonly logLevel: LogLevel;
  /** Whether the operator's stderr is a terminal (the import's progress bar) and its width. */
  readonly stderrIsTTY: boolean;
  readonly columns?: number;
}

export type ClientMessage = { readonly interrupt: true };
export type ServerMessage = { readonly stdout: string } | { readonly stderr: string } | { readonly exit: number };

/** A request line is small (an argv); a bigger one is not from our CLI. */
export const MAX_LINE_BYTES = 1 << 20;

/** Calls `onLine` with each complete line received; false once a line grew past MAX_LINE_BYTES. */
export function lineReader(onLine: (line: string) => void): (chunk: string) => boolean {
  let pending = '';
  return (chunk) => {
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (line !== '') onLine(line);
    }
    return pending.length <= MAX_LINE_BYTES;
  };
}
