/**
 * JSON-lines logger on stderr, built on pino (fast enough for the hot paths, one line per call).
 * Every line written while a request is served carries its `requestId` (request-context.ts).
 * Fields whose names look secret are redacted before writing: by name pattern rather than pino's
 * path list, because call sites log nested objects (errors with causes, library options) whose
 * paths are not known in advance.
 */
import pino from 'pino';
import { currentRequestId } from './request-context.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|hash|private|credential/i;

/** Errors of this realm and of others (a worker thread's error seen from a test sandbox fails instanceof). */
const isError = (value: unknown): value is Error => value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[deep]';
  if (isError(value)) {
    return { name: value.name, message: value.message, code: (value as { code?: unknown }).code, stack: value.stack,
      cause: value.cause === undefined ? undefined : redact(value.cause, depth + 1) };
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1)]));
  }
  return value;
}

/** A logger at `level`; `write` receives each line without its newline (tests collect them), stderr by default. */
export function createLogger(level: LogLevel = 'info', write?: (line: string) => void): Logger {
  // process.stderr rather than pino.destination(2): sonic-boom's synchronous writes sleep 100 ms
  // whenever a slow reader fills the pipe (EAGAIN), where the stream just queues the line.
  const destination = write
    ? { write: (chunk: string) => write(chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk) }
    : { write: (chunk: string) => { process.stderr.write(chunk); } };
  const log = pino({
    level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: (fields) => redact(fields) as Record<string, unknown>,
    },
    // The request id of the work in progress, after the call's fields; one given at the call site takes precedence.
    mixin: () => {
      const requestId = currentRequestId();
      return requestId === undefined ? {} : { requestId };
    },
    mixinMergeStrategy: (fields, mixin) => ('requestId' in fields ? fields : Object.assign(fields, mixin)),
  }, destination);
  // `msg` goes first among the fields (pino would write it last), so lines read as before:
  // {"level","time","msg",…fields} — operators' and tests' patterns like "msg":"draining","signal" keep matching.
  const at = (lvl: Exclude<LogLevel, 'silent'>) => (msg: string, fields?: Record<string, unknown>) => log[lvl]({ msg, ...fields });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export const silentLogger: Logger = createLogger('silent');
