/**
 * The server side of CLI forwarding (control-protocol.ts). A server on the embedded database holds
 * DATA_DIR's lock, so a CLI process cannot open the database; it sends its command here instead,
 * and the server runs it in its own process with the same program, services and output contract
 * as `orgward` itself (program.ts), acting as the operator. Only the user running the server can
 * connect: the socket is created with mode 0600 (umask) in DATA_DIR.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Config } from '../config.js';
import type { Logger, LogLevel } from '../logger.js';
import type { Runtime } from '../runtime.js';
import type { Interrupts } from './command-kit.js';
import { controlSocketPath, lineReader, type CommandRequest, type ServerMessage } from './control-protocol.js';
import { runCli } from './program.js';

export interface ControlServer {
  readonly socketPath: string;
  /** Stops accepting, interrupts running commands (an import stops after its chunk) and waits for them. */
  close(): Promise<void>;
}

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

function parseRequest(line: string): CommandRequest | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const r = value as Partial<Record<keyof CommandRequest, unknown>> | null;
  if (!r || typeof r !== 'object') return undefined;
  if (!Array.isArray(r.argv) || !r.argv.every((a) => typeof a === 'string')) return undefined;
  if (typeof r.cwd !== 'string' || !path.isAbsolute(r.cwd)) return undefined;
  if (!LOG_LEVELS.includes(r.logLevel as LogLevel) || typeof r.stderrIsTTY !== 'boolean') return undefined;
  if (r.columns !== undefined && (!Number.isSafeInteger(r.columns) || (r.columns as number) < 1)) return undefined;
  return r as CommandRequest;
}

/** A stream whose writes become `{stdout|stderr: text}` lines to the CLI. */
function frameStream(socket: net.Socket, name: 'stdout' | 'stderr', tty?: { columns?: number }): Writable {
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      send(socket, { [name]: typeof chunk === 'string' ? chunk : chunk.toString('utf8') } as ServerMessage);
      done();
    },
  });
  // The import's progress bar draws only on a terminal, as wide as the operator's.
  if (tty) Object.assign(stream, { isTTY: true, columns: tty.columns ?? 80 });
  return stream;
}

function send(socket: net.Socket, message: ServerMessage): void {
  if (socket.writable) socket.write(JSON.stringify(message) + '\n');
}

/** Listens on DATA_DIR/orgward.sock; undefined (and a warning) where the system refuses the socket. */
export async function listenForCommands(deps: { runtime: Runtime; config: Config; logger: Logger }): Promise<ControlServer | undefined> {
  const socketPath = controlSocketPath(deps.config.dataDir);
  // A socket left by a server that crashed: we hold the data directory's lock, so it is no one's.
  fs.rmSync(socketPath, { force: true });
  const running = new Set<{ interrupt: () => void; done: Promise<void> }>();

  const server = net.createServer((socket) => {
    socket.setEncoding('utf8');
    socket.on('error', () => undefined);
    let started = false;
    const listeners = new Set<() => void>();
    const interrupt = () => { for (const l of [...listeners]) l(); };
    const interrupts: Interrupts = {
      on(listener) { listeners.add(listener); return () => { listeners.delete(listener); }; },
      // The CLI process leaves by itself on a second Ctrl-C; the server only stops listening.
      exitNow: () => listeners.clear(),
    };
    const read = lineReader((line) => {
      if (started) {
        if (line === '{"interrupt":true}') interrupt();
        return;
      }
      started = true;
      const request = parseRequest(line);
      if (!request) {
        // Not our CLI's request (another version, or another program): say so, as a usage error.
        send(socket, { stderr: 'error (usage): The server could not read this command; run the orgward CLI of the same version as the server.\n' });
        send(socket, { exit: 2 });
        socket.end();
        return;
      }
      const io = {
        stdout: frameStream(socket, 'stdout'),
        stderr: frameStream(socket, 'stderr', request.stderrIsTTY ? { ...(request.columns !== undefined && { columns: request.columns }) } : undefined),
      };
      const host = { runtime: deps.runtime, config: deps.config, logLevel: request.logLevel };
      const entry = {
        interrupt,
        done: runCli(request.argv, io, process.env, { host, interrupts, cwd: request.cwd })
          .catch((error: unknown) => {
            deps.logger.error('forwarded CLI command failed', { error });
            return { exitCode: 1 };
          })
          .then(({ exitCode }) => { send(socket, { exit: exitCode }); socket.end(); }),
      };
      running.add(entry);
      void entry.done.finally(() => running.delete(entry));
    });
    socket.on('data', (chunk: string) => { if (!read(chunk)) socket.destroy(); });
    // The CLI went away (killed, or a second Ctrl-C): stop what it started, like its Ctrl-C would.
    socket.on('close', interrupt);
  });

  const umask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => { server.off('error', reject); resolve(); });
    });
  } catch (error) {
    deps.logger.warn('CLI commands cannot reach this server; they need it stopped', { socket: socketPath, error });
    return undefined;
  } finally {
    process.umask(umask);
  }
  fs.chmodSync(socketPath, 0o600);
  deps.logger.info('CLI commands are served on the control socket', { socket: socketPath });

  return {
    socketPath,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const entry of running) entry.interrupt();
      await Promise.allSettled([...running].map((e) => e.done));
      await closed;
      fs.rmSync(socketPath, { force: true });
    },
  };
}
