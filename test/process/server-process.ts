/**
 * Starts the real server process from the sources (`node --import tsx src/main.ts`) on a port the
 * system picks (PORT=0) and learns the port from its `orgward listening` log line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT } from '../cli/run-cli.js';

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly url: string;
  /** Everything written to stderr so far (JSON log lines). */
  logs(): string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startServer(env: Record<string, string>, options: { until?: 'listening' | 'ready'; timeoutMs?: number } = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT, env: { ...env, PORT: '0', LOG_LEVEL: 'info' }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const until = options.until ?? 'ready';
  const port = await new Promise<number>((resolve, reject) => {
    let listeningPort: number | undefined;
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`server did not become ${until}:\n${stderr}`)); }, options.timeoutMs ?? 60000);
    let pending = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      const lines = (pending + chunk).split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'orgward listening') listeningPort = entry.port;
        if (listeningPort !== undefined && (until === 'listening' || entry.msg === 'ready')) {
          clearTimeout(timer);
          resolve(listeningPort);
        }
      }
    });
    void exited.then(({ code }) => { clearTimeout(timer); reject(new Error(`server exited with ${code} before it was ${until}:\n${stderr}`)); });
  });
  return { child, port, url: `http://127.0.0.1:${port}`, logs: () => stderr, exited };
}

/** Sends `signal` and resolves with how the process ended and how long it took. */
export async function stopServer(server: ServerProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  const started = Date.now();
  server.child.kill(signal);
  const result = await server.exited;
  return { ...result, ms: Date.now() - started };
}
