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
  countByLabel,
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
  type PackScope,
  packFileName,
  packQueryOfCase,
  scopeIsNarrowed,
  sha256Hex,
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

/** Links 1..n, link `seq` recording `events[seq]` when there is one; link 1 follows `first`. */
function chainOf(n: number, recorded: Map<number, PackEvent>, first = GENESIS_HASH): PackLink[] {
  const links: PackLink[] = [];
  let prevHash = first;
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

interface PackOptions {
  signer?: (bytes: Uint8Array) => Uint8Array;
  /** A file's text in place of the one written from the events; null leaves it out (of the files and the manifest). */
  replace?: Partial<Record<'events.csv' | 'events.json' | 'chain.json', string | null>>;
  /** Changes the manifest before it is signed: a signed manifest that does not state what the files hold. */
  edit?: (manifest: PackManifest) => void;
}

function pack(
  events: PackEvent[],
  links: PackLink[],
  { signer = signWith(), replace = {}, edit }: PackOptions = {},
): Map<string, Uint8Array> {
  const head = { seq: links.at(-1)!.seq, hash: links.at(-1)!.hash };
  const written = {
    'events.csv': eventsCsv(events),
    'events.json': eventsJson(events),
    'chain.json': chainJson({ rule: LINK_RULE, head, links }),
  };
  const content = (Object.keys(written) as (keyof typeof written)[]).flatMap((name) => {
    const text = name in replace ? replace[name] : written[name];
    return text === null || text === undefined ? [] : [{ name, bytes: utf8(text) }];
  });
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
  edit?.(manifest);
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
      '::/0',
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

  it('sorts events by instant, then kind, then id (numeric ids by number), whatever the order they come in', () => {
    const t1 = '2026-11-02T12:00:00.000Z';
    const t2 = '2026-11-02T12:00:01.000Z';
    const expected = [
      event('request', 'x', '2026-11-01T00:00:00.000Z', null, null),
      // An id above the security ones: the kind decides, not the id.
      event('audit', '20', t1, 'b', 1),
      event('security', '9', t1, 'c', 2),
      event('security', '10', t1, 'a', 3),
      event('commitment', '1', t2, 'd', 5),
    ];
    // Every order of the five: a comparator that answers wrongly for one pair shows in some order.
    const orders = (items: PackEvent[]): PackEvent[][] =>
      items.length <= 1
        ? [items]
        : items.flatMap((item, i) => orders([...items.slice(0, i), ...items.slice(i + 1)]).map((r) => [item, ...r]));
    const names = (list: PackEvent[]) => list.map((e) => `${e.kind}:${e.id}`);
    for (const order of orders(expected))
      assert.deepEqual(names(sortPackEvents(order)), names(expected), names(order).join(' '));
  });

  it('compares ids of one instant and kind: all digits by number, anything else as text', () => {
    const at = '2026-11-02T12:00:00.000Z';
    const sortedIds = (a: string, b: string) => {
      const one = sortPackEvents([event('security', a, at, null, null), event('security', b, at, null, null)]);
      const other = sortPackEvents([event('security', b, at, null, null), event('security', a, at, null, null)]);
      assert.deepEqual(
        other.map((e) => e.id),
        one.map((e) => e.id),
      );
      return one.map((e) => e.id);
    };
    assert.deepEqual(sortedIds('10', '9'), ['9', '10']);
    assert.deepEqual(sortedIds('13', '12'), ['12', '13']);
    assert.deepEqual(sortedIds('b', 'a'), ['a', 'b']);
    // One of the two is not all digits: as text, whatever the lengths.
    assert.deepEqual(sortedIds('9', '10x'), ['10x', '9']);
    assert.deepEqual(sortedIds('9', 'x10'), ['9', 'x10']);
    assert.deepEqual(sortedIds('9', '1a0'), ['1a0', '9']);
    assert.deepEqual(sortedIds('100', '9x'), ['100', '9x']);
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
    assert.deepEqual(problems(pack(events, links, { signer: signWith(generateKeyPairSync('ed25519').privateKey) })), [
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

  it('names its format and the rule of a link hash as the reader of chain.json recomputes it', () => {
    assert.equal(PACK_FORMAT, 'creneau-evidence-pack/1');
    assert.equal(
      LINK_RULE,
      'link hash = sha256("<prevHash>|<seq>|<kind>|<refId>|<contentHash>") in hex; contentHash = sha256(content) of the event; prevHash = hash of link seq-1',
    );
    // The rule, followed by hand, gives the links' hashes.
    const [first, second] = links;
    assert.equal(first!.hash, sha256(`${GENESIS_HASH}|1|audit|other-1|${sha256('other 1')}`));
    assert.equal(second!.hash, sha256(`${first!.hash}|2|security|10|${sha256('2:10|x')}`));
    assert.ok(new TextDecoder().decode(pack(events, links).get('chain.json')).startsWith(`{\n"rule": "link hash = `));
  });

  it('tells a narrowed scope (requests, appointments or networks named) from a whole period', () => {
    const scope: PackScope = {
      prefectureId: '93',
      from: new Date('2026-11-01T00:00:00Z'),
      to: new Date('2026-11-08T00:00:00Z'),
      requestIds: [],
      appointmentIds: [],
      ipPrefixes: [],
    };
    assert.equal(scopeIsNarrowed(scope), false);
    assert.equal(scopeIsNarrowed({ ...scope, requestIds: ['r-1'] }), true);
    assert.equal(scopeIsNarrowed({ ...scope, appointmentIds: ['a-1'] }), true);
    assert.equal(scopeIsNarrowed({ ...scope, ipPrefixes: ['203.0.113.'] }), true);
    assert.equal(scopeIsNarrowed({ ...scope, requestIds: ['r-1'], appointmentIds: ['a-1'] }), true);
  });

  it('names the pack file by prefecture, period and creation second', () => {
    const scope: PackScope = {
      prefectureId: '973',
      from: new Date('2026-11-01T00:00:00Z'),
      to: new Date('2026-11-08T00:00:00Z'),
      requestIds: ['r-1'],
      appointmentIds: [],
      ipPrefixes: [],
    };
    assert.equal(
      packFileName(scope, new Date('2026-12-06T09:05:07.123Z')),
      'evidence-973-2026-11-01-2026-11-08-20261206T090507Z.zip',
    );
  });

  it('counts security events by reason and audit events by action, sorted, and nothing else', () => {
    const at = '2026-11-02T12:00:00.000Z';
    const labelled = (kind: PackEvent['kind'], action: string | null) => ({
      ...event(kind, '1', at, null, null),
      action,
    });
    assert.deepEqual(
      countByLabel([
        labelled('security', 'rate_limited'),
        labelled('audit', 'request.cancel'),
        labelled('draw', 'scheduled'),
        labelled('security', 'pow_invalid'),
        labelled('request', 'waiting'),
        labelled('audit', null),
        labelled('security', 'pow_invalid'),
        labelled('commitment', 'scheduled'),
        labelled('appointment', 'booked'),
      ]),
      [
        ['audit:', 1],
        ['audit:request.cancel', 1],
        ['security:pow_invalid', 2],
        ['security:rate_limited', 1],
      ],
    );
    assert.deepEqual(countByLabel([labelled('draw', 'scheduled')]), []);
  });

  it('lists each file with its size and SHA-256, and SHA256SUMS as sha256sum reads it', () => {
    const abc = sha256('abc');
    assert.equal(abc, 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(sha256Hex(utf8('abc')), abc);
    assert.deepEqual(manifestFile('events.csv', utf8('abc')), { name: 'events.csv', size: 3, sha256: abc });
    assert.deepEqual(manifestFile('GUIDE-fr.txt', utf8('é')), { name: 'GUIDE-fr.txt', size: 2, sha256: sha256('é') });
    assert.equal(
      sha256Sums([
        { name: 'events.csv', size: 3, sha256: abc },
        { name: 'GUIDE-fr.txt', size: 2, sha256: sha256('é') },
      ]),
      `${abc}  events.csv\n${sha256('é')}  GUIDE-fr.txt\n`,
    );
    assert.equal(sha256Sums([]), '');
  });

  it('checks that link 1 starts from the genesis, that a chain may start later, and both halves of a head', () => {
    const head = { seq: 5, hash: links[4]!.hash };
    const elsewhere = chainOf(3, new Map(), sha256('not the genesis'));
    assert.equal(
      checkChainLinks({ rule: '', head: { seq: 3, hash: elsewhere[2]!.hash }, links: elsewhere }, undefined),
      'link 1 does not start from the genesis hash',
    );
    // chain.json starts at the first event's link: link 3 follows a link 2 it does not carry.
    assert.equal(checkChainLinks({ rule: '', head, links: links.slice(2) }, head), null);
    assert.equal(
      checkChainLinks({ rule: '', head: { seq: 5, hash: GENESIS_HASH }, links }, undefined),
      'the links end at 5, not at the head 5',
    );
    assert.equal(
      checkChainLinks({ rule: '', head, links }, { seq: 4, hash: head.hash }),
      "the head is not the manifest's",
    );
  });

  it('refuses a manifest it cannot read, and checks nothing else', () => {
    const refused = (files: Map<string, Uint8Array>, problem: string) => {
      const report = verifyPackFiles(files, trusted);
      assert.deepEqual(report, {
        ok: false,
        problems: [{ file: 'manifest.json', problem }],
        manifest: null,
        events: 0,
        links: 0,
      });
    };
    const missing = pack(events, links);
    missing.delete('manifest.json');
    refused(missing, 'missing');
    refused(
      pack(events, links, { edit: (m) => Object.assign(m, { format: 'creneau-evidence-pack/2' }) }),
      'not a manifest of this format',
    );
    refused(pack(events, links, { edit: (m) => Object.assign(m, { files: 'all' }) }), 'not a manifest of this format');
    const truncated = pack(events, links);
    truncated.set('manifest.json', truncated.get('manifest.json')!.slice(0, 40));
    refused(truncated, 'not a manifest of this format');
    // Valid JSON once decoded leniently, but a byte that is not UTF-8 inside the reason.
    const latin1 = pack(events, links);
    const text = new TextDecoder().decode(latin1.get('manifest.json'));
    const cut = text.indexOf('Plainte') + 'Plainte'.length;
    latin1.set('manifest.json', new Uint8Array([...utf8(text.slice(0, cut)), 0xe9, ...utf8(text.slice(cut))]));
    refused(latin1, 'not a manifest of this format');
  });

  it('names a missing signature, a file left out, a file altered, and a size the manifest misstates', () => {
    const unsigned = pack(events, links);
    unsigned.delete('manifest.sig');
    const report = verifyPackFiles(unsigned, trusted);
    assert.equal(report.ok, false);
    assert.deepEqual(report.problems, [{ file: 'manifest.sig', problem: 'missing' }]);

    const noChain = pack(events, links);
    noChain.delete('chain.json');
    const broken = verifyPackFiles(noChain, trusted);
    assert.deepEqual(broken.problems, [
      { file: 'chain.json', problem: 'listed in the manifest but missing from the pack' },
      { file: 'chain.json', problem: 'missing or malformed' },
    ]);
    assert.deepEqual([broken.ok, broken.events, broken.links], [false, 3, 0]);
    assert.deepEqual(problems(pack(events, links, { replace: { 'chain.json': '{"rule":"","links":[]}' } })), [
      { file: 'chain.json', problem: 'missing or malformed' },
    ]);

    // One hex digit of SHA256SUMS changed: the same size, another digest.
    const altered = pack(events, links);
    const sums = new TextDecoder().decode(altered.get('SHA256SUMS'));
    const forged = `${sums[0] === '0' ? '1' : '0'}${sums.slice(1)}`;
    altered.set('SHA256SUMS', utf8(forged));
    assert.deepEqual(problems(altered), [
      {
        file: 'SHA256SUMS',
        problem: `its SHA-256 (${sha256(forged)}, ${forged.length} bytes) is not the manifest's (${sha256(sums)})`,
      },
    ]);
    // The right digest with a wrong size, signed: the manifest does not describe the file.
    const misstated = pack(events, links, {
      edit: (m) => {
        const entry = m.files.find((f) => f.name === 'SHA256SUMS')!;
        entry.size += 1;
      },
    });
    assert.deepEqual(problems(misstated), [
      {
        file: 'SHA256SUMS',
        problem: `its SHA-256 (${sha256(sums)}, ${sums.length} bytes) is not the manifest's (${sha256(sums)})`,
      },
    ]);
  });

  it('names the first line of events.csv that is not events.json, a pack without events.csv passing', () => {
    const csv = eventsCsv(events);
    const csvProblem = (text: string | null) => problems(pack(events, links, { replace: { 'events.csv': text } }));
    assert.deepEqual(csvProblem(csv.replace('kind,id', 'kind,ID')), [
      { file: 'events.csv', problem: 'line 1 differs from events.json' },
    ]);
    // Line 3 is s1 (line 2 the request of 2026-11-01).
    assert.deepEqual(csvProblem(eventsCsv([request, { ...s1, ip: '198.51.100.1' }, s2])), [
      { file: 'events.csv', problem: 'line 3 differs from events.json' },
    ]);
    assert.deepEqual(csvProblem(eventsCsv([request, s1])), [
      { file: 'events.csv', problem: 'line 4 differs from events.json' },
    ]);
    assert.deepEqual(csvProblem(`${csv}${eventsCsv([s2]).split('\r\n')[1]}\r\n`), [
      { file: 'events.csv', problem: 'line 5 differs from events.json' },
    ]);
    // An empty line after the last: line 5 again (header and three events are lines 1 to 4).
    assert.deepEqual(csvProblem(`${csv}\r\n`), [{ file: 'events.csv', problem: 'line 5 differs from events.json' }]);
    assert.deepEqual(csvProblem(null), []);
    assert.deepEqual([...pack(events, links, { replace: { 'events.csv': null } }).keys()].sort(), [
      'SHA256SUMS',
      'chain.json',
      'events.json',
      'manifest.json',
      'manifest.sig',
    ]);
  });

  it('checks events.json: an array, its counts, against the manifest', () => {
    const noEvents = pack(events, links);
    noEvents.delete('events.json');
    const report = verifyPackFiles(noEvents, trusted);
    assert.deepEqual(report.problems, [
      { file: 'events.json', problem: 'listed in the manifest but missing from the pack' },
      { file: 'events.json', problem: 'missing or not a JSON array' },
    ]);
    assert.deepEqual([report.ok, report.manifest?.format, report.events, report.links], [false, PACK_FORMAT, 0, 0]);
    assert.deepEqual(problems(pack(events, links, { replace: { 'events.json': '{"events":[]}' } })), [
      { file: 'events.json', problem: 'missing or not a JSON array' },
    ]);

    assert.deepEqual(
      problems(
        pack(events, links, {
          edit: (m) => {
            m.counts.security = 3;
          },
        }),
      ),
      [{ file: 'events.json', problem: '2 security events, the manifest says 3' }],
    );
    assert.deepEqual(problems(pack(events, links, { edit: (m) => Object.assign(m, { counts: undefined }) })), [
      { file: 'events.json', problem: '2 security events, the manifest says 0' },
      { file: 'events.json', problem: '1 request events, the manifest says 0' },
    ]);
  });

  it('checks every event against its link: the chain broken, a link missing, a link of another row', () => {
    assert.deepEqual(
      problems(
        pack(
          events,
          links.filter((l) => l.seq !== 3),
        ),
      ),
      [{ file: 'chain.json', problem: 'link 3 is missing' }],
    );
    const beyond = sortPackEvents([request, s1, { ...s2, seq: 6 }]);
    assert.deepEqual(problems(pack(beyond, links)), [
      { file: 'chain.json', problem: 'link 6 of security 9 is missing' },
    ]);
    // Link 3 records the same kind with another id, then the same id with another kind.
    const at = '2026-11-02T11:00:00.000Z';
    const moved = sortPackEvents([request, { ...s1, seq: 3 }, s2]);
    for (const [other, problem] of [
      [event('security', '11', at, '3|o', 3), 'link 3 records security 11, not security 10'],
      [event('audit', '10', at, '3|o', 3), 'link 3 records audit 10, not security 10'],
    ] as const) {
      const chain = chainOf(
        5,
        new Map([
          [2, s1],
          [3, other],
          [4, s2],
        ]),
      );
      assert.deepEqual(problems(pack(moved, chain)), [{ file: 'chain.json', problem }]);
    }
  });

  it('names a chained event (audit, draw, commitment) written with no link', () => {
    const at = '2026-11-02T13:00:00.000Z';
    const unlinked = sortPackEvents([
      ...events,
      event('audit', '7', at, 'audit 7', null),
      event('draw', '8', at, 'draw 8', null),
      event('commitment', '9', at, 'commitment 9', null),
    ]);
    assert.deepEqual(
      problems(pack(unlinked, links)).map((p) => `${p.file}: ${p.problem}`),
      ['audit 7', 'commitment 9', 'draw 8'].map(
        (name) => `events.json: ${name} has no link in the evidence chain (written with the chain's triggers off)`,
      ),
    );
  });

  it('holds the manifest to the links it lists: one listed with no event, one not listed', () => {
    const listing = (included: unknown) =>
      problems(pack(events, links, { edit: (m) => Object.assign(m, { included }) }));
    assert.deepEqual(listing([2, 3, 4]), [
      { file: 'events.json', problem: 'the event of link 3 is missing (the manifest lists it)' },
    ]);
    assert.deepEqual(listing([2]), [
      { file: 'manifest.json', problem: 'link 4 is in events.json but not listed as included' },
    ]);
    assert.deepEqual(listing(undefined), [
      { file: 'manifest.json', problem: 'link 2 is in events.json but not listed as included' },
      { file: 'manifest.json', problem: 'link 4 is in events.json but not listed as included' },
    ]);
  });
});
