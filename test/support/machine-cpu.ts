// The machine's busy CPU time (Linux /proc/stat; elsewhere null), for test/all.ts's summary.
// The test processes' own figure (their rusage and their reaped children's) misses what runs
// outside their tree: the PostgreSQL server, and Chromium's renderers, which its zygote outlives
// and nobody in the tree reaps — about half of a browser file's CPU.
import { readFileSync } from 'node:fs';

/** CPU-seconds every core spent busy since boot (user, nice, system, irq, softirq, steal), or null. */
export function machineBusySeconds(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [label, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/);
    if (label !== 'cpu') return null;
    const ticks = [user, nice, system, irq, softirq, steal].reduce((sum, field) => sum + Number(field ?? 0), 0);
    return ticks / 100; // USER_HZ, 100 on every Linux build that matters here
  } catch {
    return null;
  }
}
