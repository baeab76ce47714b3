// The resident memory of a process and all its descendants (test/all.ts reports the suite's
// peak): Linux /proc only; elsewhere 0.
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

export function treeMemoryBytes(rootPid: number): number {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return 0;
  }
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const pid of pids) {
    const status = statusOf(pid);
    if (!status) continue;
    rss.set(Number(pid), status.rssBytes);
    children.set(status.ppid, [...(children.get(status.ppid) ?? []), Number(pid)]);
  }
  let total = 0;
  const stack = [rootPid];
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    total += rss.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}
