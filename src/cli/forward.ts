/**
 * The CLI side of forwarding (control-protocol.ts). On the embedded database a running server
 * holds DATA_DIR's lock; rather than fail with data_dir_locked, the CLI hands its command to that
 * server and relays what it prints, its exit code, and Ctrl-C. Everything here is cheap to load:
 * a forwarded command never opens the database nor loads its libraries in the CLI process.
 */
import net from 'node:net';
import { loadConfig } from '../config.js';
import { lockHolder } from '../data-dir-lock.js';
import { controlSocketPath, lineReader, type CommandRequest, type ServerMessage } from './control-protocol.js';
import { printError, type CliIo } from './output.js';

/** The conventional exit status of a command stopped by SIGINT (128 + 2). */
const EXIT_INTERRUPTED = 130;
/** Shows the terminal cursor the import's progress bar hid. */
const SHOW_CURSOR = '\x1b[?25h';

/** The socket of a live server holding the embedded database this command would open, if any. */
function serverSocket(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): string | undefined {
  // `serve` starts a server of its own: it must meet the lock, not a server.
  if (argv.find((a) => !a.startsWith('-')) === 'serve') return undefined;
  let dataDir: string;
  try {
    const config = loadConfig(env);
    if (config.databaseUrl) return undefined;
    dataDir = config.dataDir;
  } catch {
    return undefined; // the command itself reports the configuration problem
  }
  return lockHolder(dataDir) === undefined ? undefined : controlSocketPath(dataDir);
}

function connect(socketPath: string): Promise<net.Socket | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect(socketPath);
    // No socket (a CLI process holds the lock, or the server is still starting) or a dead one:
    // the command runs here and meets the lock, whose error says who holds it.
    socket.once('error', () => resolve(undefined));
    socket.once('connect', () => { socket.removeAllListeners('error'); resolve(socket); });
  });
}

/**
 * Runs the command in the server holding the embedded database. Resolves with its exit code, or
 * undefined when no server holds it (then the command runs in this process).
 */
export async function forwardToServer(
  argv: readonly string[], io: CliIo, env: Readonly<Record<string, string | undefined>>,
  stderrTty: { isTTY?: boolean; columns?: number } = process.stderr,
): Promise<number | undefined> {
  const socketPath = serverSocket(argv, env);
  if (!socketPath) return undefined;
  const socket = await connect(socketPath);
  if (!socket) return undefined;

  const logLevel = (() => { try { return loadConfig(env).logLevel; } catch { return 'info' as const; } })();
  const request: CommandRequest = {
    argv, cwd: process.cwd(), logLevel, stderrIsTTY: stderrTty.isTTY === true,
    // A pseudo-terminal without a size reports 0 columns: the server then assumes 80.
    ...(stderrTty.columns !== undefined && stderrTty.columns > 0 && { columns: stderrTty.columns }),
  };
  socket.setEncoding('utf8');
  socket.write(JSON.stringify(request) + '\n');

  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts === 1) { socket.write(JSON.stringify({ interrupt: true }) + '\n'); return; }
    // A second Ctrl-C leaves at once, as it does when the CLI runs the command itself; closing the
    // connection tells the server, which stops the import after its chunk in flight.
    if (stderrTty.isTTY) io.stderr.write(SHOW_CURSOR);
    socket.destroy();
    process.exit(EXIT_INTERRUPTED);
  };
  process.on('SIGINT', onSigint);
  try {
    return await new Promise<number>((resolve) => {
      let exit: number | undefined;
      const read = lineReader((line) => {
        const message = JSON.parse(line) as ServerMessage;
        if ('stdout' in message) io.stdout.write(message.stdout);
        else if ('stderr' in message) io.stderr.write(message.stderr);
        else exit = message.exit;
      });
      socket.on('data', (chunk: string) => { read(chunk); });
      socket.on('error', () => undefined);
      socket.on('close', () => {
        if (exit !== undefined) { resolve(exit); return; }
        // The server stopped (or crashed) mid-command: say so under the output contract.
        resolve(printError(io, argv.includes('--json'), new Error(
          'The Orgward server running this command stopped before it finished; run `orgward` again (it works with or without the server).')));
      });
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
}
