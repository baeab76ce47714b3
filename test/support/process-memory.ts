// The resident memory of process trees (test/all.ts reports the suite's peak and each
// batch's): Linux /proc only; elsewhere 0.
import { readdirSync, readFileSync } from 'node:fs';

function statusOf(pid: string): { ppid: number; rssBytes: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
    const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
    return { ppid, rssBytes: rssKb * 1024 };
  } catch {
    return null; // gone meanwhile, or not Linux
  }
}

/** The resident memory of each process tree rooted at `roots` (one /proc scan for all). */
export function treeMemoryBytes(roots: readonly number[]): number[] {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return roots.map(() => 0);
  }
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const pid of pids) {
    const status = statusOf(pid);
    if (!status) continue;
    rss.set(Number(pid), status.rssBytes);
    children.set(status.ppid, [...(children.get(status.ppid) ?? []), Number(pid)]);
  }
  return roots.map((root) => {
    let total = 0;
    const stack = [root];
    while (stack.length > 0) {
      const pid = stack.pop() as number;
      total += rss.get(pid) ?? 0;
      stack.push(...(children.get(pid) ?? []));
    }
    return total;
  });
}
