/**
 * The request a piece of work belongs to, carried through async calls (AsyncLocalStorage), so
 * every log line written while serving a request carries its id without passing it to each call.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const storage = new AsyncLocalStorage<{ readonly requestId: string }>();

/** The id of the request being served, if any. */
export const currentRequestId = (): string | undefined => storage.getStore()?.requestId;

/** Runs `fn` (and everything it starts) as part of request `requestId`. */
export const withRequestId = <T>(requestId: string, fn: () => T): T => storage.run({ requestId }, fn);
