// The evidence pack's pure rules (domain/evidence-pack.ts): the CSV, the order of events, the
// links' check, and the verification of a pack made here from nothing (no database): each
// tampering is named with its file.
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, it } from 'node:test';
import { GENESIS_HASH, linkHash } from '../../src/domain/evidence-chain.ts';
import {
  chainJson,
  checkChainLinks,
  countEvents,
  eventsCsv,
  eventsJson,
  ipPrefixOf,
  LINK_RULE,
  manifestFile,
  manifestJson,
  PACK_FORMAT,
  PACK_MAX_DAYS,
  type PackEvent,
  type PackLink,
  type PackManifest,
  packQueryOfCase,
  sha256Sums,
  sortPackEvents,
  verifyPackFiles,
} from '../../src/domain/evidence-pack.ts';
import { guideFr, summaryLinesFr } from '../../src/domain/evidence-pack-guide.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const utf8 = (text: string) => new TextEncoder().encode(text);

function event(kind: PackEvent['kind'], id: string, at: string, content: string | null, seq: number | null): PackEvent {
  return {
    kind,
    id,
    at,
    seq,
    ip: kind === 'security' ? '203.0.113.7' : null,
    subject: 'POST /api/requests',
    action: 'pow_invalid',
    details: '{"a":1}',
    contentSha256: content === null ? null : sha256(content),
    content,
  };
}

/** Links 1..n, link `seq` recording `events[seq]` when there is one. */
function chainOf(n: number, recorded: Map<number, PackEvent>): PackLink[] {
  const links: PackLink[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const e = recorded.get(seq);
    const link = {
      seq,
      kind: e?.kind ?? 'audit',
      refId: e?.id ?? `other-${seq}`,
      at: '2026-11-02T00:00:00.000Z',
      contentHash: e?.contentSha256 ?? sha256(`other ${seq}`),
      prevHash,
    };
    const hash = linkHash(link);
    links.push({ ...link, hash });
    prevHash = hash;
  }
  return links;
}

const keys = generateKeyPairSync('ed25519');
const signWith =
  (key = keys.privateKey) =>
  (bytes: Uint8Array) =>
    new Uint8Array(sign(null, bytes, key));
const trusted = (message: Uint8Array, signature: Uint8Array) => verify(null, message, keys.publicKey, signature);

function pack(events: PackEvent[], links: PackLink[], signer = signWith()): Map<string, Uint8Array> {
  const head = { seq: links.at(-1)!.seq, hash: links.at(-1)!.hash };
  const content = [
    { name: 'events.csv', bytes: utf8(eventsCsv(events)) },
    { name: 'events.json', bytes: utf8(eventsJson(events)) },
    { name: 'chain.json', bytes: utf8(chainJson({ rule: LINK_RULE, head, links })) },
  ];
  const files = [
    ...content,
    { name: 'SHA256SUMS', bytes: utf8(sha256Sums(content.map((f) => manifestFile(f.name, f.bytes)))) },
  ];
  const manifest: PackManifest = {
    format: PACK_FORMAT,
    createdAt: '2026-12-06T10:00:00.000Z',
    createdBy: { id: 'a', email: 'superviseur@seine-saint-denis.gouv.fr', role: 'supervisor' },
    reason: 'Plainte',
    scope: {
      prefectureId: '93',
      prefectureName: 'Seine-Saint-Denis',
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-11-08T00:00:00.000Z',
      requestIds: [],
      appointmentIds: [],
      ipPrefixes: ['203.0.113.'],
    },
    counts: countEvents(events),
    chainHead: head,
    included: events.flatMap((e) => (e.seq === null ? [] : [e.seq])).sort((a, b) => a - b),
    signature: { algorithm: 'Ed25519', keyId: 'k', file: 'manifest.sig', publicKeyFile: 'public-key.pem' },
    files: files.map((f) => manifestFile(f.name, f.bytes)),
  };
  const manifestBytes = utf8(manifestJson(manifest));
  return new Map([
    ['manifest.json', manifestBytes],
    ['manifest.sig', signer(manifestBytes)],
    ...files.map((f) => [f.name, f.bytes] as [string, Uint8Array]),
  ]);
}

const s1 = event('security', '10', '2026-11-02T12:00:00.000Z', '2:10|x', 2);
const s2 = event('security', '9', '2026-11-03T12:00:00.000Z', '1:9|y', 4);
const request = {
  ...event('request', 'b7e1', '2026-11-01T09:00:00.000Z', null, null),
  subject: 'R-93-0001',
  action: 'waiting',
  details: '{"surname":"Diallo","givenNames":"Aminata"}',
};
const events = sortPackEvents([s2, request, s1]);
const links = chainOf(
  5,
  new Map([
    [2, s1],
    [4, s2],
  ]),
);
const problems = (files: Map<string, Uint8Array>) => verifyPackFiles(files, trusted).problems;

describe('evidence pack', () => {
  it('writes CSV as RFC 4180: quotes what needs it, empty for null, CRLF', () => {
    const csv = eventsCsv([{ ...s1, subject: 'a "b", c\nd', ip: null }]);
    const [header, line] = csv.split('\r\n');
    assert.equal(header, 'kind,id,at,seq,ip,subject,action,details,contentSha256,content');
    assert.equal(
      line,
      `security,10,2026-11-02T12:00:00.000Z,2,,"a ""b"", c\nd",pow_invalid,"{""a"":1}",${s1.contentSha256},2:10|x`,
    );
    assert.ok(csv.endsWith('\r\n'));
  });

  it('takes networks as textual prefixes, and CIDRs on a group boundary as the fraud review names them', () => {
    assert.equal(ipPrefixOf('203.0.113.'), '203.0.113.');
    assert.equal(ipPrefixOf(' 2001:DB8: '), '2001:db8:');
    assert.equal(ipPrefixOf('203.0.113.0/24'), '203.0.113.');
    assert.equal(ipPrefixOf('198.51.0.0/16'), '198.51.');
    assert.equal(ipPrefixOf('203.0.113.7/32'), '203.0.113.7');
    assert.equal(ipPrefixOf('2001:db8:0:1::/64'), '2001:db8:0:1:');
    assert.equal(ipPrefixOf('2001:db8::/32'), '2001:db8:');
    assert.equal(ipPrefixOf('2001:db8::7/128'), '2001:db8::7');
    for (const refused of [
      '203.0.113.0/25',
      '0.0.0.0/0',
      '2001:db8::/60',
      '10.1/16',
      'localhost',
      "203.0.113.' or 1=1",
      '',
    ])
      assert.equal(ipPrefixOf(refused), null, refused);
  });

  it('scopes the pack of a fraud case: the case, its network, its first day to the day after its last', () => {
    const at = (s: string) => new Date(s);
    assert.deepEqual(
      packQueryOfCase({
        kind: 'request',
        id: 'r-1',
        prefectureId: '93',
        network: '203.0.113.0/24',
        instants: [at('2026-06-03T23:59:00Z'), at('2026-06-01T00:00:00Z'), at('2026-06-02T10:00:00Z')],
      }),
      { prefecture: '93', from: '2026-06-01', to: '2026-06-04', request: 'r-1', ip: '203.0.113.0/24' },
    );
    assert.deepEqual(
      packQueryOfCase({
        kind: 'appointment',
        id: 'a-1',
        prefectureId: '973',
        network: null,
        instants: [at('2026-06-01T12:00:00Z')],
      }),
      { prefecture: '973', from: '2026-06-01', to: '2026-06-02', appointment: 'a-1' },
    );
    // Never longer than a pack may be: the last PACK_MAX_DAYS days.
    const long = packQueryOfCase({
      kind: 'request',
      id: 'r-2',
      prefectureId: '93',
      network: null,
      instants: [at('2024-01-01T12:00:00Z'), at('2026-06-01T12:00:00Z')],
    });
    assert.equal(PACK_MAX_DAYS, 366);
    assert.deepEqual([long.from, long.to], ['2025-06-01', '2026-06-02']);
  });

  it('sorts events by instant, then kind, then id (numeric ids by number)', () => {
    const same = '2026-11-02T12:00:00.000Z';
    const sorted = sortPackEvents([
      event('security', '10', same, 'a', 3),
      event('audit', '2', same, 'b', 1),
      event('security', '9', same, 'c', 2),
      event('request', 'x', '2026-11-01T00:00:00.000Z', null, null),
    ]);
    assert.deepEqual(
      sorted.map((e) => `${e.kind}:${e.id}`),
      ['request:x', 'audit:2', 'security:9', 'security:10'],
    );
  });

  it('checks links from the genesis to the head, and names the first that is wrong', () => {
    const head = { seq: 5, hash: links[4]!.hash };
    assert.equal(checkChainLinks({ rule: '', head, links }, head), null);
    assert.equal(
      checkChainLinks({ rule: '', head, links: links.filter((l) => l.seq !== 3) }, head),
      'link 3 is missing',
    );
    const rewritten = links.map((l) => (l.seq === 3 ? { ...l, prevHash: GENESIS_HASH } : l));
    assert.equal(
      checkChainLinks({ rule: '', head, links: rewritten }, head),
      "link 3's previous hash is not link 2's hash",
    );
    const altered = links.map((l) => (l.seq === 4 ? { ...l, contentHash: sha256('other') } : l));
    assert.equal(
      checkChainLinks({ rule: '', head, links: altered }, head),
      "link 4's hash does not match what it records",
    );
    assert.equal(
      checkChainLinks({ rule: '', head: { seq: 6, hash: head.hash }, links }, head),
      'the links end at 5, not at the head 6',
    );
    assert.equal(
      checkChainLinks({ rule: '', head, links }, { seq: 5, hash: GENESIS_HASH }),
      "the head is not the manifest's",
    );
  });

  it('passes a pack made as the export makes it', () => {
    const report = verifyPackFiles(pack(events, links), trusted);
    assert.deepEqual(report.problems, []);
    assert.equal(report.ok, true);
    assert.equal(report.events, 3);
    assert.equal(report.links, 5);
  });

  it('names the file at fault: unsigned, missing, extra, altered content, a link of another row', () => {
    assert.deepEqual(problems(pack(events, links, signWith(generateKeyPairSync('ed25519').privateKey))), [
      { file: 'manifest.sig', problem: 'the signature does not match manifest.json with the trusted key' },
    ]);
    const missing = pack(events, links);
    missing.delete('chain.json');
    assert.deepEqual(
      problems(missing).map((p) => p.file),
      ['chain.json', 'chain.json'],
    );
    const extra = pack(events, links);
    extra.set('note.txt', utf8('ajouté'));
    assert.deepEqual(problems(extra), [{ file: 'note.txt', problem: 'in the pack but not in the manifest' }]);

    // The content changed but its stated digest kept: re-signed, only the digest shows it.
    const changed = sortPackEvents([{ ...s1, content: '2:10|z' }, s2, request]);
    assert.deepEqual(problems(pack(changed, links)), [
      { file: 'events.json', problem: "security 10: its content's SHA-256 is not the one stated" },
    ]);
    // Content and digest changed together: the link recorded another digest.
    const rewritten = sortPackEvents([{ ...s1, content: '2:10|z', contentSha256: sha256('2:10|z') }, s2, request]);
    assert.deepEqual(problems(pack(rewritten, links)), [
      { file: 'events.json', problem: 'security 10 is not the row link 2 recorded (its content digest differs)' },
    ]);
    // An event pointed at a link that records another row.
    const moved = sortPackEvents([{ ...s1, seq: 3 }, s2, request]);
    assert.deepEqual(problems(pack(moved, links)), [
      { file: 'chain.json', problem: 'link 3 records audit other-3, not security 10' },
    ]);
    // A chained kind with no link: written with the chain's triggers off.
    const unchained = sortPackEvents([{ ...s1, seq: null }, s2, request]);
    assert.deepEqual(problems(pack(unchained, links)), [
      {
        file: 'events.json',
        problem: "security 10 has no link in the evidence chain (written with the chain's triggers off)",
      },
    ]);
  });

  it('states the pack in its guide and summary: the scope, the counts, the head', () => {
    const files = pack(events, links);
    const manifest = JSON.parse(new TextDecoder().decode(files.get('manifest.json'))) as PackManifest;
    const guide = guideFr(manifest);
    assert.match(guide, /Période : du 2026-11-01T00:00:00\.000Z au 2026-11-08T00:00:00\.000Z \(UTC, fin exclue\)/);
    assert.match(guide, /^ {7}2 {2}événements de sécurité/m);
    assert.ok(guide.includes(`creneau audit verify --expect-head 5:${links[4]!.hash}`));
    const summary = summaryLinesFr(manifest, events);
    assert.equal(summary.title, 'Dossier de preuves — résumé');
    assert.ok(summary.lines.includes('  2 × security:pow_invalid'));
    assert.ok(summary.lines.includes(`  ${links[4]!.hash}`));
    assert.ok(
      summary.lines.includes(
        'Produit le 2026-12-06T10:00:00.000Z par superviseur@seine-saint-denis.gouv.fr (superviseur).',
      ),
    );
    const listed = summary.lines.slice(
      summary.lines.indexOf('# Tentatives refusées et dossiers nommés (instant UTC, adresse, motif)') + 1,
    );
    assert.deepEqual(listed.slice(0, 3), [
      '  2026-11-01 09:00:00Z  demande R-93-0001 (waiting) : Diallo Aminata',
      '  2026-11-02 12:00:00Z  203.0.113.7  pow_invalid  POST /api/requests',
      '  2026-11-03 12:00:00Z  203.0.113.7  pow_invalid  POST /api/requests',
    ]);
  });
});
