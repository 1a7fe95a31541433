/**
 * CPU accounting for the benchmarks, from /proc (Linux): the server process's CPU, PostgreSQL's
 * (the backends connected to the benchmark's database), this
 * process's, and how busy the whole machine was. On a two-core machine shared with other work,
 * CPU per request is the figure that survives the noise; throughput alone does not.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** user + system CPU of one process, in ms (0 once it is gone). */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND) * 1000;
  } catch {
    return 0;
  }
}

/**
 * user + system CPU (ms) of each PostgreSQL backend serving `database` (their process titles name
 * it), by pid: the benchmark's own connections, not other work on the same server.
 */
export function postgresBackendsCpuMs(database: string): Map<number, number> {
  const found = new Map<number, number>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (title.startsWith('postgres: ') && title.includes(` ${database} `)) found.set(Number(pid), processCpuMs(Number(pid)));
    } catch { /* gone */ }
  }
  return found;
}

/** Busy and total CPU time of the machine (all cores), in ms. */
function machineTimes(): { busy: number; total: number } {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = values.map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  return { busy: (busy / TICKS_PER_SECOND) * 1000, total: ((busy + idle! + iowait!) / TICKS_PER_SECOND) * 1000 };
}

export interface CpuSample { readonly server: number; readonly postgres: Map<number, number>; readonly self: number; readonly busy: number; readonly total: number }

/** A snapshot of every counter; `cpuSince` turns two into per-call figures. */
export function cpuSample(database: string, serverPid?: number): CpuSample {
  const self = process.cpuUsage();
  const machine = machineTimes();
  return { server: serverPid ? processCpuMs(serverPid) : 0, postgres: postgresBackendsCpuMs(database), self: (self.user + self.system) / 1000, ...machine };
}

export interface CpuPerCall { readonly serverMs: number; readonly postgresMs: number; readonly selfMs: number; readonly busyShare: number }

/** CPU per call since `before` (ms of each process kind per call) and the machine's busy share (0-1). */
export function cpuSince(database: string, before: CpuSample, calls: number, serverPid?: number): CpuPerCall {
  const now = cpuSample(database, serverPid);
  const per = (a: number, b: number) => (calls > 0 ? (a - b) / calls : NaN);
  // A backend started during the run counts whole; one that ended during it is not seen (pools keep theirs).
  let postgres = 0;
  for (const [pid, ms] of now.postgres) postgres += ms - (before.postgres.get(pid) ?? 0);
  return {
    serverMs: per(now.server, before.server), postgresMs: per(postgres, 0), selfMs: per(now.self, before.self),
    busyShare: now.total > before.total ? (now.busy - before.busy) / (now.total - before.total) : NaN,
  };
}
