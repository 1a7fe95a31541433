/**
 * One process at a time per embedded data directory. PGlite is a single-process database and does
 * not lock its directory itself: a second server or CLI opening the same DATA_DIR would corrupt it.
 * The lock is a file holding the owner's PID; a lock whose process is gone is stale and taken over.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DomainError } from './errors.js';

export const LOCK_FILE = 'orgward.lock';

export interface DataDirLock {
  readonly file: string;
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holderOf(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The live process (not this one) holding the lock of `dir`, if any. */
export function lockHolder(dir: string): number | undefined {
  const holder = holderOf(path.join(dir, LOCK_FILE));
  return holder !== undefined && holder !== process.pid && isAlive(holder) ? holder : undefined;
}

/** Takes the lock of `dir` (creating the directory) or fails with `data_dir_locked`. */
export function lockDataDir(dir: string): DataDirLock {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = holderOf(file);
      // A PID equal to ours is a stale lock from an earlier container run where we were PID 1 too.
      if (holder !== undefined && holder !== process.pid && isAlive(holder)) {
        throw new DomainError('data_dir_locked',
          `The embedded database in ${dir} is in use by process ${holder} (an Orgward server or CLI). ` +
          'It serves one process at a time: stop that process first, or use PostgreSQL (DATABASE_URL).',
          { details: { dataDir: dir, pid: holder } });
      }
      fs.rmSync(file, { force: true });
      continue;
    }
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      process.off('exit', release);
      if (holderOf(file) === process.pid) fs.rmSync(file, { force: true });
    };
    // A crash or process.exit still frees the directory for the next process.
    process.on('exit', release);
    return { file, release };
  }
  throw new DomainError('data_dir_locked', `Could not take the lock ${file}; try again.`, { details: { dataDir: dir } });
}
