// The memory of process trees (test/all.ts reports the suite's peak and each batch's): Linux
// /proc only; elsewhere 0.
import { readdirSync, readFileSync } from 'node:fs';

function parentOf(pid: string): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
  } catch {
    return null; // gone meanwhile, or not Linux
  }
}

/**
 * A process's proportional set size: its resident pages, each page it shares with others
 * (Chromium's processes share most of theirs) divided among them, so that a tree's sum is the
 * memory it really holds. Summed resident sizes counted Chromium's shared pages once per process.
 */
function proportionalBytes(pid: number): number {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    return Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) * 1024;
  } catch {
    return 0; // gone meanwhile, or not Linux
  }
}

/** The memory (proportional set size) of each process tree rooted at `roots` (one /proc scan for all). */
export function treeMemoryBytes(roots: readonly number[]): number[] {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return roots.map(() => 0);
  }
  const children = new Map<number, number[]>();
  for (const pid of pids) {
    const parent = parentOf(pid);
    if (parent !== null) children.set(parent, [...(children.get(parent) ?? []), Number(pid)]);
  }
  const read = new Map<number, number>(); // a batch is in its own tree and in the suite's
  return roots.map((root) => {
    let total = 0;
    const stack = [root];
    while (stack.length > 0) {
      const pid = stack.pop() as number;
      if (!read.has(pid)) read.set(pid, proportionalBytes(pid));
      total += read.get(pid) ?? 0;
      stack.push(...(children.get(pid) ?? []));
    }
    return total;
  });
}

/**
 * CPU seconds (user + system) of this process and of the children it has reaped (servers,
 * CLI processes, Chromium): Linux /proc only; elsewhere this process's own.
 */
export function ownAndChildrenCpuSeconds(): number {
  try {
    // Fields after the command name: utime, stime, cutime, cstime are the 12th to 15th.
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
    return ticks / 100; // USER_HZ is 100 on Linux
  } catch {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  }
}
