// The evidence pack for a complaint (issue 16, part 4): what a pack holds, the files it is made
// of, and their verification. Pure: the rows come from the store, the ZIP and the PDF from an
// adapter, the signature from the signer (all through ports).
//
// A pack is for a period of a prefecture, optionally narrowed to request ids, appointment ids and
// network prefixes (the shape of a legal hold). Its files:
//   events.json / events.csv  one line per event (security, audit, draw, commitment) and per
//                             request or appointment named, same fields, sorted by instant
//   chain.json                the evidence-chain links from the first event's link to the head:
//                             every link hash can be recomputed, and each event's content digest
//   manifest.json             every other file's SHA-256 and size, the scope, who, when, the head
//   manifest.sig              Ed25519 signature of manifest.json's bytes (raw 64 bytes)
//   public-key.pem            the signing key (compare it with the published one)
//   GUIDE-fr.txt, GUIDE-en.txt, summary.pdf
// Deterministic: the same rows and creation instant give the same bytes.
import { createHash } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { type ChainPoint, contentDigest, GENESIS_HASH, linkHash } from './evidence-chain.ts';

export const PACK_FORMAT = 'creneau-evidence-pack/1';
/** The longest period a pack covers. */
export const PACK_MAX_DAYS = 366;

export interface PackScope {
  prefectureId: string;
  from: Date;
  to: Date;
  requestIds: readonly string[];
  appointmentIds: readonly string[];
  ipPrefixes: readonly string[];
}

/** A textual prefix of an address, as holds name them: "203.0.113." or "2001:db8:". */
const TEXTUAL_PREFIX = /^[0-9a-f.:]{2,39}$/i;

/**
 * A network as a scope names it, to the textual prefix holds and packs match addresses with:
 * a textual prefix as it is ("203.0.113."); a CIDR on a group boundary, as the fraud review names
 * networks — "203.0.113.0/24" → "203.0.113.", "2001:db8:0:1::/64" → "2001:db8:0:1:" (addresses
 * are stored compressed: a /64 whose third and fourth groups are zero, written "2001:db8::…",
 * is not matched by "2001:db8:0:0:"). Null for anything else.
 */
export function ipPrefixOf(text: string): string | null {
  const value = text.trim().toLowerCase();
  if (TEXTUAL_PREFIX.test(value)) return value;
  let network: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    network = ipaddr.parseCIDR(value);
  } catch {
    return null;
  }
  const [address, bits] = network;
  if (address.kind() === 'ipv4') {
    if (bits === 32) return address.toString();
    if (bits === 0 || bits % 8 !== 0 || !ipaddr.IPv4.isValidFourPartDecimal(value.split('/')[0]!)) return null;
    return `${(address as ipaddr.IPv4).octets.slice(0, bits / 8).join('.')}.`;
  }
  if (bits === 128) return address.toString();
  if (bits === 0 || bits % 16 !== 0) return null;
  return `${(address as ipaddr.IPv6).parts
    .slice(0, bits / 16)
    .map((g) => g.toString(16))
    .join(':')}:`;
}

/** What a fraud case is, as the pack of its evidence needs it. */
export interface CaseForPack {
  kind: 'request' | 'appointment';
  id: string;
  prefectureId: string;
  network: string | null;
  /** Every instant of the case (its filing or booking, its observations, its decision). */
  instants: readonly Date[];
}

const DAY_MS = 86_400_000;
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The scope of the pack of a fraud case, as the evidence page's query names it: the case and its
 * network, from the UTC day of its first instant to the day after its last (the period's end is
 * excluded), at most PACK_MAX_DAYS back from that end.
 */
export function packQueryOfCase(c: CaseForPack): Record<string, string> {
  const times = c.instants.map((d) => d.getTime());
  const to = Math.floor(Math.max(...times) / DAY_MS) * DAY_MS + DAY_MS;
  const from = Math.max(Math.floor(Math.min(...times) / DAY_MS) * DAY_MS, to - PACK_MAX_DAYS * DAY_MS);
  return {
    prefecture: c.prefectureId,
    from: utcDay(from),
    to: utcDay(to),
    [c.kind]: c.id,
    ...(c.network ? { ip: c.network } : {}),
  };
}

/** Whether the scope names anything beyond its period (then only what it names is in the pack). */
export const scopeIsNarrowed = (scope: PackScope): boolean =>
  scope.requestIds.length + scope.appointmentIds.length + scope.ipPrefixes.length > 0;

export const PACK_EVENT_KINDS = ['security', 'audit', 'draw', 'commitment', 'request', 'appointment'] as const;
export type PackEventKind = (typeof PACK_EVENT_KINDS)[number];
/** The kinds the evidence chain records (requests and appointments are not chained). */
const CHAINED_KINDS: ReadonlySet<PackEventKind> = new Set(['security', 'audit', 'draw', 'commitment']);

/** One line of events.csv / events.json. */
export interface PackEvent {
  kind: PackEventKind;
  id: string;
  /** ISO 8601, UTC. */
  at: string;
  /** Its link in the evidence chain; null for requests and appointments (and a row with no link). */
  seq: number | null;
  ip: string | null;
  /** Security: the route; audit: the agent's email; draw, commitment: the procedure; request, appointment: the reference. */
  subject: string | null;
  /** Security: the reason; audit: the action; draw: trigger/order; request, appointment: the status. */
  action: string | null;
  /** The rest of the row, as JSON text. */
  details: string;
  /** SHA-256 of `content`: the content digest the chain's link records. */
  contentSha256: string | null;
  /** The row's content text as the chain hashes it (migration 0016's evidence_*_text). */
  content: string | null;
}

export const PACK_EVENT_FIELDS = [
  'kind',
  'id',
  'at',
  'seq',
  'ip',
  'subject',
  'action',
  'details',
  'contentSha256',
  'content',
] as const satisfies readonly (keyof PackEvent)[];

/** A link of the evidence chain, as chain.json carries it. */
export interface PackLink {
  seq: number;
  kind: string;
  refId: string;
  at: string;
  contentHash: string;
  prevHash: string;
  hash: string;
}

export interface PackChain {
  /** How each hash is made (for the reader of the file). */
  rule: string;
  head: ChainPoint;
  /** The links from the first event's link to the head, in order (empty when no event is chained). */
  links: PackLink[];
}

export const LINK_RULE =
  'link hash = sha256("<prevHash>|<seq>|<kind>|<refId>|<contentHash>") in hex; contentHash = sha256(content) of the event; prevHash = hash of link seq-1';

const eventOrder = (a: PackEvent, b: PackEvent) =>
  a.at < b.at ? -1 : a.at > b.at ? 1 : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : compareIds(a.id, b.id);

/** Numeric ids by number (9 before 10), others as text. */
function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  return a < b ? -1 : a > b ? 1 : 0;
}

export const sortPackEvents = (events: readonly PackEvent[]): PackEvent[] => [...events].sort(eventOrder);

export function countEvents(events: readonly PackEvent[]): Record<PackEventKind, number> {
  const counts = Object.fromEntries(PACK_EVENT_KINDS.map((kind) => [kind, 0])) as Record<PackEventKind, number>;
  for (const event of events) counts[event.kind]++;
  return counts;
}

/** Security events by reason, audit events by action: "kind:label" → count, sorted. */
export function countByLabel(events: readonly PackEvent[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const event of events)
    if (event.kind === 'security' || event.kind === 'audit') {
      const key = `${event.kind}:${event.action ?? ''}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  return [...counts].sort(([a], [b]) => (a < b ? -1 : 1));
}

// --- The files ---------------------------------------------------------------------------------

const csvField = (value: string | number | null): string => {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** RFC 4180, a header line, CRLF line ends; null is an empty field. */
export function eventsCsv(events: readonly PackEvent[]): string {
  const lines = [PACK_EVENT_FIELDS.join(',')];
  for (const event of events) lines.push(PACK_EVENT_FIELDS.map((field) => csvField(event[field])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** One event per line inside a JSON array: a removed event is one removed line. */
export function eventsJson(events: readonly PackEvent[]): string {
  const ordered = events.map((event) => Object.fromEntries(PACK_EVENT_FIELDS.map((f) => [f, event[f]])));
  return `[\n${ordered.map((event) => JSON.stringify(event)).join(',\n')}\n]\n`;
}

export function chainJson(chain: PackChain): string {
  return `{\n"rule": ${JSON.stringify(chain.rule)},\n"head": ${JSON.stringify(chain.head)},\n"links": [\n${chain.links
    .map((link) => JSON.stringify(link))
    .join(',\n')}\n]\n}\n`;
}

export interface ManifestFile {
  name: string;
  size: number;
  sha256: string;
}

export interface PackManifest {
  format: typeof PACK_FORMAT;
  createdAt: string;
  createdBy: { id: string; email: string; role: string };
  reason: string;
  scope: {
    prefectureId: string;
    prefectureName: string;
    from: string;
    to: string;
    requestIds: string[];
    appointmentIds: string[];
    ipPrefixes: string[];
  };
  counts: Record<PackEventKind, number>;
  chainHead: ChainPoint;
  /** The links of the events in the pack, ascending. */
  included: number[];
  signature: { algorithm: 'Ed25519'; keyId: string; file: 'manifest.sig'; publicKeyFile: 'public-key.pem' };
  files: ManifestFile[];
}

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export function manifestFile(name: string, bytes: Uint8Array): ManifestFile {
  return { name, size: bytes.length, sha256: sha256Hex(bytes) };
}

export const manifestJson = (manifest: PackManifest): string => `${JSON.stringify(manifest, null, 2)}\n`;

/** The name of a pack's file: evidence-<prefecture>-<from>-<to>-<creation>.zip. */
export function packFileName(scope: PackScope, createdAt: Date): string {
  const day = (date: Date) => date.toISOString().slice(0, 10);
  const stamp = createdAt.toISOString().replace(/[-:]/g, '').slice(0, 15);
  return `evidence-${scope.prefectureId}-${day(scope.from)}-${day(scope.to)}-${stamp}Z.zip`;
}

// --- The verification --------------------------------------------------------------------------

export interface PackProblem {
  /** The file where the problem shows. */
  file: string;
  problem: string;
}

export interface PackVerification {
  ok: boolean;
  problems: PackProblem[];
  manifest: PackManifest | null;
  /** Events in events.json, links checked in chain.json. */
  events: number;
  links: number;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function parseJson<T>(bytes: Uint8Array | undefined): T | null {
  if (!bytes) return null;
  try {
    return JSON.parse(decoder.decode(bytes)) as T;
  } catch {
    return null;
  }
}

/**
 * Checks a pack's files: the manifest's signature (by `signatureValid`, with the key the caller
 * trusts), every file against the manifest, events.csv against events.json, every event's content
 * digest against its link, and the links from the first to the head. Lists every problem found.
 */
export function verifyPackFiles(
  files: ReadonlyMap<string, Uint8Array>,
  signatureValid: (message: Uint8Array, signature: Uint8Array) => boolean,
): PackVerification {
  const problems: PackProblem[] = [];
  const fail = (file: string, problem: string) => problems.push({ file, problem });
  const done = (manifest: PackManifest | null, events = 0, links = 0): PackVerification => ({
    ok: problems.length === 0,
    problems,
    manifest,
    events,
    links,
  });

  const manifestBytes = files.get('manifest.json');
  const signature = files.get('manifest.sig');
  const manifest = parseJson<PackManifest>(manifestBytes);
  if (!manifestBytes || !manifest || manifest.format !== PACK_FORMAT || !Array.isArray(manifest.files)) {
    fail('manifest.json', manifestBytes ? 'not a manifest of this format' : 'missing');
    return done(null);
  }
  if (!signature) fail('manifest.sig', 'missing');
  else if (!signatureValid(manifestBytes, signature))
    fail('manifest.sig', 'the signature does not match manifest.json with the trusted key');

  const listed = new Set<string>(['manifest.json', 'manifest.sig']);
  for (const entry of manifest.files) {
    listed.add(entry.name);
    const bytes = files.get(entry.name);
    if (!bytes) fail(entry.name, 'listed in the manifest but missing from the pack');
    else if (bytes.length !== entry.size || sha256Hex(bytes) !== entry.sha256)
      fail(
        entry.name,
        `its SHA-256 (${sha256Hex(bytes)}, ${bytes.length} bytes) is not the manifest's (${entry.sha256})`,
      );
  }
  for (const name of files.keys()) if (!listed.has(name)) fail(name, 'in the pack but not in the manifest');

  const events = parseJson<PackEvent[]>(files.get('events.json'));
  const chain = parseJson<PackChain>(files.get('chain.json'));
  if (!Array.isArray(events)) {
    fail('events.json', 'missing or not a JSON array');
    return done(manifest);
  }
  const csv = files.get('events.csv');
  if (csv) {
    const expected = eventsCsv(events).split('\r\n');
    const actual = new TextDecoder().decode(csv).split('\r\n');
    const line = expected.findIndex((text, i) => actual[i] !== text);
    if (line >= 0 || actual.length !== expected.length)
      fail('events.csv', `line ${(line >= 0 ? line : expected.length - 1) + 1} differs from events.json`);
  }
  const counts = countEvents(events);
  for (const kind of PACK_EVENT_KINDS)
    if ((manifest.counts?.[kind] ?? 0) !== counts[kind])
      fail('events.json', `${counts[kind]} ${kind} events, the manifest says ${manifest.counts?.[kind] ?? 0}`);

  if (!chain || !Array.isArray(chain.links) || !chain.head) {
    fail('chain.json', 'missing or malformed');
    return done(manifest, events.length);
  }
  const linkProblem = checkChainLinks(chain, manifest.chainHead);
  if (linkProblem) fail('chain.json', linkProblem);
  const bySeq = new Map(chain.links.map((link) => [link.seq, link]));
  const eventSeqs = new Set<number>();
  for (const event of events) {
    const name = `${event.kind} ${event.id}`;
    if (event.content !== null && contentDigest(event.content) !== event.contentSha256)
      fail('events.json', `${name}: its content's SHA-256 is not the one stated`);
    if (!CHAINED_KINDS.has(event.kind)) continue;
    if (event.seq === null) {
      fail('events.json', `${name} has no link in the evidence chain (written with the chain's triggers off)`);
      continue;
    }
    eventSeqs.add(event.seq);
    const link = bySeq.get(event.seq);
    if (!link) fail('chain.json', `link ${event.seq} of ${name} is missing`);
    else if (link.kind !== event.kind || link.refId !== event.id)
      fail('chain.json', `link ${event.seq} records ${link.kind} ${link.refId}, not ${name}`);
    else if (link.contentHash !== event.contentSha256)
      fail('events.json', `${name} is not the row link ${event.seq} recorded (its content digest differs)`);
  }
  // The manifest lists the links of the events in the pack: a removed event shows.
  const included = new Set(Array.isArray(manifest.included) ? manifest.included : []);
  for (const seq of included)
    if (!eventSeqs.has(seq)) fail('events.json', `the event of link ${seq} is missing (the manifest lists it)`);
  for (const seq of eventSeqs)
    if (!included.has(seq)) fail('manifest.json', `link ${seq} is in events.json but not listed as included`);
  return done(manifest, events.length, chain.links.length);
}

/** The links must follow each other from the first to the head, each hash recomputed; null when they do. */
export function checkChainLinks(chain: PackChain, statedHead: ChainPoint | undefined): string | null {
  let previous: { seq: number; hash: string } | null = null;
  for (const link of chain.links) {
    if (previous && link.seq !== previous.seq + 1) return `link ${previous.seq + 1} is missing`;
    if (previous && link.prevHash !== previous.hash)
      return `link ${link.seq}'s previous hash is not link ${previous.seq}'s hash`;
    if (link.seq === 1 && link.prevHash !== GENESIS_HASH) return 'link 1 does not start from the genesis hash';
    if (linkHash(link) !== link.hash) return `link ${link.seq}'s hash does not match what it records`;
    previous = link;
  }
  if (previous && (previous.seq !== chain.head.seq || previous.hash !== chain.head.hash))
    return `the links end at ${previous.seq}, not at the head ${chain.head.seq}`;
  if (statedHead && (statedHead.seq !== chain.head.seq || statedHead.hash !== chain.head.hash))
    return "the head is not the manifest's";
  return null;
}

/** SHA256SUMS: the files' digests as `sha256sum -c` reads them ("<hex>  <name>"). */
export const sha256Sums = (files: readonly ManifestFile[]): string =>
  files.map((file) => `${file.sha256}  ${file.name}\n`).join('');
