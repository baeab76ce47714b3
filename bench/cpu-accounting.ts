// CPU accounting for the benchmarks (Linux /proc): who used the cores during a measured phase —
// the load generator, the server, PostgreSQL, and everything else.
import { readdirSync, readFileSync } from 'node:fs';
export interface CpuSample {
  wall: number;
  machineBusy: number;
  machineTotal: number;
  steal: number;
  self: number;
  server: number;
  postgres: number;
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

function processTicks(pid: number | string): { comm: string; ticks: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    return { comm, ticks: Number(fields[11]) + Number(fields[12]) }; // utime + stime
  } catch {
    return null;
  }
}

/** The PostgreSQL database of the engine being run: only its backends count as "PostgreSQL". */
let benchDatabase: string | null = null;

/** The PostgreSQL database the run uses (null on the embedded engine). */
export function setBenchDatabase(name: string | null): void {
  benchDatabase = name;
}
const CLIENT_BACKEND_TITLE = /\(\d+\)|\[local\]/; // "postgres: 15/main: user db 127.0.0.1(5432) idle"

/**
 * Whether a PostgreSQL process works for this benchmark: a client backend of its database, or
 * a process of the server itself (postmaster, WAL writer, checkpointer, autovacuum…). The
 * backends of other databases are other people's work on the same server: "others".
 */
function isBenchPostgres(pid: string): boolean {
  try {
    const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    return !CLIENT_BACKEND_TITLE.test(title) || (benchDatabase !== null && title.includes(` ${benchDatabase} `));
  } catch {
    return false;
  }
}

export function sampleCpu(serverPid: number | undefined): CpuSample | null {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
    const steal = cpu[7] ?? 0;
    const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
    let postgres = 0;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const t = processTicks(entry);
      if (t && (t.comm === 'postgres' || t.comm.startsWith('postgres:')) && isBenchPostgres(entry)) postgres += t.ticks;
    }
    return {
      wall: performance.now(),
      machineBusy: total - idle - steal,
      machineTotal: total,
      steal,
      self: processTicks(process.pid)?.ticks ?? 0,
      server: serverPid ? (processTicks(serverPid)?.ticks ?? 0) : 0,
      postgres,
    };
  } catch {
    return null;
  }
}

/**
 * CPU seconds used during W1 by the load generator, the server, PostgreSQL (the backends of the
 * benchmark's database and the server's own processes) and everything else (other processes,
 * including PostgreSQL backends of other databases, and kernel work not charged to a process),
 * and how busy the machine was.
 * "Other" well above a few tenths of a second means something else competed for the cores.
 */
export function cpuBreakdown(before: CpuSample | null, after: CpuSample | null) {
  if (!before || !after) return undefined;
  const seconds = (ticks: number) => Math.round((ticks / CLOCK_TICKS) * 100) / 100;
  const d = (k: keyof CpuSample) => after[k] - before[k];
  return {
    wallSeconds: Math.round(d('wall')) / 1000,
    machineBusyPercent: Math.round((d('machineBusy') / Math.max(1, d('machineTotal'))) * 1000) / 10,
    loadGeneratorCpuSeconds: seconds(d('self')),
    serverCpuSeconds: seconds(d('server')),
    postgresCpuSeconds: seconds(d('postgres')),
    otherCpuSeconds: seconds(Math.max(0, d('machineBusy') - d('self') - d('server') - d('postgres'))),
    stealSeconds: seconds(d('steal')),
  };
}
