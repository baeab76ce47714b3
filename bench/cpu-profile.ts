// Where a server's CPU goes, from a V8 CPU profile (`.cpuprofile`, as written by
// `node --cpu-prof` or the inspector's Profiler): self time grouped into the costs the request
// path is made of (HTTP, validation, proof of work, email code, SQL driver, logging, crypto,
// message rendering…), per attempt.
//
// A sample charged to Node's own code (a socket write, an event emitter, a buffer) or to an
// anonymous frame is charged to the nearest caller that belongs to a group: `writev` under
// pg's connection is "PostgreSQL driver", under Fastify's reply "HTTP". Crypto, GC and error
// stacks keep their own groups whoever called them.
//
// `npm run bench:profile -- FILE.cpuprofile [--attempts N] [--top N]` prints the table.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }>;
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** The groups, in the order they are tried: the first whose test matches a frame owns it. */
const GROUPS: Array<[group: string, test: (url: string, fn: string) => boolean]> = [
  ['idle', (_u, f) => f === '(idle)'],
  ['garbage collection', (_u, f) => f === '(garbage collector)'],
  ['error stacks (source-mapped)', (u, f) => /source_map|prepare_stack_trace/.test(u) || f === 'captureStackTrace'],
  [
    'crypto (HMAC, SHA-256, random bytes)',
    (u, f) =>
      /node:internal\/crypto\/|crypto-secrets\.ts/.test(u) ||
      /^(Hmac|Hash|randomFillSync|randomBytes|randomUUID|timingSafeEqual)$/.test(f),
  ],
  [
    'proof of work (ALTCHA check, replay store)',
    (u) => /altcha-lib|adapters\/pow\/|pow-difficulty|proof-of-work|app\/applicants\/(check-)?proof-of-work/.test(u),
  ],
  ['email code check', (u) => /email-verification|one-time-code/.test(u)],
  ['rate limiting', (u) => /@fastify\/rate-limit|http\/rate-limit|adapters\/limits\//.test(u)],
  [
    'logging (pino)',
    (u) => /node_modules\/(pino|sonic-boom|thread-stream|fast-redact|pino-std-serializers|quick-format)/.test(u),
  ],
  ['security headers (helmet)', (u) => /node_modules\/(@fastify\/)?helmet/.test(u)],
  [
    'validation and serialisation (zod, JSON)',
    (u) => /node_modules\/(zod|fastify-type-provider-zod|fast-json-stringify|secure-json-parse|ajv|fast-uri)/.test(u),
  ],
  [
    'outbox: message rendering and delivery',
    (u) =>
      /node_modules\/(qrcode|pngjs|pdf-lib|@pdf-lib|nodemailer|ical-generator|eta|i18next|dijkstrajs)|app\/notifications\/|adapters\/mail\/|adapters\/ed25519|outbox|node:zlib/.test(
        u,
      ),
  ],
  ['dates and time zones (luxon)', (u) => /node_modules\/luxon/.test(u)],
  [
    'PostgreSQL driver (pg, wire protocol)',
    (u) =>
      /node_modules\/(pg|pg-protocol|pg-pool|pg-types|postgres-[a-z]+|pg-int8|buffer-writer|packet-reader)\//.test(u),
  ],
  ['PGlite (embedded engine)', (u) => /node_modules\/(@electric-sql\/pglite|kysely-pglite-dialect)/.test(u)],
  ['query building (Kysely, stores)', (u) => /node_modules\/kysely\/|adapters\/db\//.test(u)],
  [
    'HTTP (Fastify, routing, hooks, replies)',
    (u) =>
      /node_modules\/(fastify|@fastify|find-my-way|avvio|light-my-request|fast-querystring|proxy-addr|toad-cache|fast-decode-uri-component|content-type|forwarded|ipaddr\.js|process-warning|abstract-logging|rfdc|fastify-plugin)\/|src\/http\//.test(
        u,
      ),
  ],
  ['use cases and domain rules', (u) => /src\/(app|domain|features|composition|ports)\//.test(u)],
  ['module loading (tsx, esbuild)', (u) => /node_modules\/(tsx|esbuild|get-tsconfig)|internal\/modules\//.test(u)],
];
/** Mostly socket writes flushed from the event loop (HTTP answers and PostgreSQL messages alike). */
const UNGROUPED = 'Node core: sockets, streams, events (callers unknown)';

function groupOf(url: string, functionName: string): string | null {
  for (const [group, test] of GROUPS) if (test(url, functionName)) return group;
  return null;
}

export interface ProfileSummary {
  /** Profiled wall time and busy time (samples not idle), in seconds. */
  wallSeconds: number;
  /** Whether msPerAttempt are shares of the measured CPU (see summariseProfile). */
  scaledToMeasuredCpu: boolean;
  cpuSeconds: number;
  attempts: number;
  /** Group → CPU ms per attempt (self time, see above), largest first. */
  groups: Array<{ group: string; msPerAttempt: number; share: number }>;
  /** The heaviest functions by self time: "name (file:line)" → ms per attempt. */
  functions: Array<{ frame: string; group: string; msPerAttempt: number }>;
}

/**
 * `measuredCpuMsPerAttempt` (process.cpuUsage over the same window): the profile's sampled
 * time is wall time of the JS thread while it was busy, which a busy machine inflates (the
 * thread is descheduled mid-function); with it, each group gets its share of the measured CPU.
 */
export function summariseProfile(
  profile: CpuProfile,
  attempts: number,
  top = 25,
  measuredCpuMsPerAttempt?: number,
): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  for (const [i, id] of profile.samples.entries()) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));

  const ownerCache = new Map<number, string>();
  const ownerOf = (id: number): string => {
    const cached = ownerCache.get(id);
    if (cached) return cached;
    const node = byId.get(id)!;
    let owner = groupOf(node.callFrame.url, node.callFrame.functionName);
    if (!owner) {
      const up = parent.get(id);
      owner = up === undefined || byId.get(up)!.callFrame.functionName === '(root)' ? UNGROUPED : ownerOf(up);
    }
    ownerCache.set(id, owner);
    return owner;
  };

  const groups = new Map<string, number>();
  const frames = new Map<string, { group: string; us: number }>();
  let cpuUs = 0;
  let wallUs = 0;
  for (const [id, us] of selfUs) {
    wallUs += us;
    const node = byId.get(id)!;
    const group = ownerOf(id);
    if (group === 'idle') continue;
    cpuUs += us;
    groups.set(group, (groups.get(group) ?? 0) + us);
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.replace(/^.*node_modules\//, '').replace(/^.*\/(src|bench)\//, '$1/');
    const frame = `${functionName || '(anonymous)'}${file ? ` (${file}:${lineNumber + 1})` : ''}`;
    const entry = frames.get(frame) ?? { group, us: 0 };
    entry.us += us;
    frames.set(frame, entry);
  }
  const scale =
    measuredCpuMsPerAttempt === undefined
      ? 1
      : (measuredCpuMsPerAttempt * Math.max(1, attempts) * 1000) / Math.max(1, cpuUs);
  const perAttempt = (us: number) => (us * scale) / 1000 / Math.max(1, attempts);
  return {
    wallSeconds: wallUs / 1e6,
    cpuSeconds: cpuUs / 1e6,
    scaledToMeasuredCpu: measuredCpuMsPerAttempt !== undefined,
    attempts,
    groups: [...groups]
      .sort((a, b) => b[1] - a[1])
      .map(([group, us]) => ({ group, msPerAttempt: perAttempt(us), share: us / Math.max(1, cpuUs) })),
    functions: [...frames]
      .sort((a, b) => b[1].us - a[1].us)
      .slice(0, top)
      .map(([frame, { group, us }]) => ({ frame, group, msPerAttempt: perAttempt(us) })),
  };
}

export function formatSummary(title: string, s: ProfileSummary): string {
  const lines = [
    `${title}: busy ${s.cpuSeconds.toFixed(2)} s of ${s.wallSeconds.toFixed(2)} s profiled, ${s.attempts} attempts; ms per attempt below: ${s.scaledToMeasuredCpu ? 'shares of the measured CPU' : 'sampled time'}`,
    '  ms/attempt  share  group',
    ...s.groups.map(
      (g) => `  ${g.msPerAttempt.toFixed(3).padStart(10)}  ${(g.share * 100).toFixed(1).padStart(4)} %  ${g.group}`,
    ),
    '  heaviest functions (self time):',
    ...s.functions.map((f) => `  ${f.msPerAttempt.toFixed(3).padStart(10)}  ${f.frame}  [${f.group}]`),
  ];
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    options: { attempts: { type: 'string', default: '1' }, top: { type: 'string', default: '25' } },
    allowPositionals: true,
  });
  for (const file of positionals) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    console.log(formatSummary(file, summariseProfile(profile, Number(values.attempts), Number(values.top))));
  }
}
