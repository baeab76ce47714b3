// The words of an evidence pack (domain/evidence-pack-guide.ts): the guides and the summary are
// handed to a prosecutor, so their particulars are checked line by line for a small fixed pack
// (scope, counts, head, key, the events listed), in French and in English.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countEvents, PACK_FORMAT, type PackEvent, type PackManifest } from '../../src/domain/evidence-pack.ts';
import { guideEn, guideFr, SUMMARY_EVENTS_MAX, summaryLinesFr } from '../../src/domain/evidence-pack-guide.ts';

const HEAD_HASH = 'ab'.repeat(32);

const particulars: Omit<PackManifest, 'files'> = {
  format: PACK_FORMAT,
  createdAt: '2026-12-06T10:00:00.000Z',
  createdBy: { id: 'a-1', email: 'admin@seine-saint-denis.gouv.fr', role: 'admin' },
  reason: 'Plainte du 5 décembre',
  scope: {
    prefectureId: '93',
    prefectureName: 'Seine-Saint-Denis',
    from: '2026-11-01T00:00:00.000Z',
    to: '2026-11-08T00:00:00.000Z',
    requestIds: ['r-1', 'r-2'],
    appointmentIds: ['a-1'],
    ipPrefixes: ['203.0.113.', '2001:db8:'],
  },
  counts: { security: 120, audit: 3, draw: 1, commitment: 1, request: 2, appointment: 1 },
  chainHead: { seq: 42, hash: HEAD_HASH },
  included: [7, 9, 40],
  signature: { algorithm: 'Ed25519', keyId: 'key-2026', file: 'manifest.sig', publicKeyFile: 'public-key.pem' },
};

/** The whole period of a prefecture: nothing named. */
const wholePeriod: Omit<PackManifest, 'files'> = {
  ...particulars,
  scope: { ...particulars.scope, requestIds: [], appointmentIds: [], ipPrefixes: [] },
};

function event(kind: PackEvent['kind'], id: string, at: string, fields: Partial<PackEvent> = {}): PackEvent {
  return {
    kind,
    id,
    at,
    seq: null,
    ip: null,
    subject: null,
    action: null,
    details: '{}',
    contentSha256: null,
    content: null,
    ...fields,
  };
}

const events: PackEvent[] = [
  event('request', 'b7e1', '2026-11-01T09:00:00.000Z', {
    subject: 'R-93-0001',
    action: 'waiting',
    details: '{"surname":"Diallo","givenNames":"Aminata"}',
  }),
  event('draw', '4', '2026-11-01T18:00:00.000Z', { subject: 'titre-sejour', action: 'scheduled' }),
  event('security', '1', '2026-11-02T08:15:30.250Z', {
    ip: '203.0.113.7',
    subject: 'POST /api/requests',
    action: 'pow_invalid',
  }),
  event('security', '2', '2026-11-02T09:00:00.000Z', { subject: 'POST /api/otp', action: 'rate_limited' }),
  event('audit', '5', '2026-11-03T10:00:00.000Z', { subject: 'agent@seine-saint-denis.gouv.fr' }),
  event('audit', '6', '2026-11-03T10:30:00.000Z', {
    subject: 'agent@seine-saint-denis.gouv.fr',
    action: 'request.cancel',
  }),
  event('security', '3', '2026-11-03T11:00:00.000Z', {
    ip: '203.0.113.9',
    subject: 'POST /api/requests',
    action: 'pow_invalid',
  }),
  event('appointment', 'c9', '2026-11-04T14:30:00.000Z', {
    subject: 'RDV-93-0002',
    action: 'booked',
    details: '{"surname":"Martin"}',
  }),
  // A record whose identity was erased: no name to show.
  event('appointment', 'd2', '2026-11-05T07:00:00.000Z', {
    subject: 'RDV-93-0003',
    action: 'cancelled',
    details: '{"surname":null,"givenNames":null}',
  }),
];

/** The lines of `text` from the one equal to `first`, `count` of them. */
function linesFrom(text: string, first: string, count: number): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf(first);
  assert.ok(start >= 0, `no line "${first}"`);
  return lines.slice(start, start + count);
}

describe('evidence pack guide and summary', () => {
  it('states in GUIDE-fr.txt who made the pack, its scope, its counts, its key and its head', () => {
    const guide = guideFr(particulars);
    assert.deepEqual(guide.split('\n').slice(0, 20), [
      'GUIDE DE VÉRIFICATION — dossier de preuves Créneau',
      '==================================================',
      '',
      'Ce dossier a été produit par Créneau (prise de rendez-vous des préfectures) le 2026-12-06T10:00:00.000Z',
      'par admin@seine-saint-denis.gouv.fr (administrateur), pour le motif : « Plainte du 5 décembre ».',
      '',
      'Préfecture : Seine-Saint-Denis (93)',
      'Période : du 2026-11-01T00:00:00.000Z au 2026-11-08T00:00:00.000Z (UTC, fin exclue)',
      'Demandes : r-1, r-2',
      'Rendez-vous : a-1',
      'Adresses (préfixes) : 203.0.113., 2001:db8:',
      '',
      'Contenu :',
      '     120  événements de sécurité (tentatives refusées, avec adresse IP)',
      '       3  actions des agents (journal d’audit)',
      '       1  tirages au sort',
      '       1  engagements de tirage',
      '       2  demandes nommées (identité telle qu’enregistrée)',
      '       1  rendez-vous nommés (identité telle qu’enregistrée)',
      '',
    ]);
    assert.deepEqual(linesFrom(guide, 'Les fichiers', 1), ['Les fichiers']);
    const lines = guide.split('\n');
    assert.ok(lines.includes(`                           jusqu’à la tête de la chaîne (42:${HEAD_HASH})`));
    assert.ok(lines.includes('  public-key.pem           la clé publique du serveur (identifiant key-2026)'));
    assert.ok(lines.includes(`   le serveur : creneau audit verify --expect-head 42:${HEAD_HASH}`));
    assert.ok(guide.endsWith('la plainte traitée.\n'));
  });

  it('says in French when the scope names no request, appointment or network', () => {
    assert.deepEqual(linesFrom(guideFr(wholePeriod), 'Préfecture : Seine-Saint-Denis (93)', 5), [
      'Préfecture : Seine-Saint-Denis (93)',
      'Période : du 2026-11-01T00:00:00.000Z au 2026-11-08T00:00:00.000Z (UTC, fin exclue)',
      'Demandes : aucune nommée',
      'Rendez-vous : aucun nommé',
      'Adresses (préfixes) : aucune nommée (toute la période)',
    ]);
  });

  it('states the same particulars in GUIDE-en.txt, in English', () => {
    const guide = guideEn(particulars);
    assert.deepEqual(guide.split('\n').slice(0, 21), [
      'VERIFICATION GUIDE — Créneau evidence pack',
      '==========================================',
      '',
      "This pack was produced by Créneau (the prefectures' appointment service) at 2026-12-06T10:00:00.000Z",
      'by admin@seine-saint-denis.gouv.fr (admin), for: "Plainte du 5 décembre".',
      '',
      'Prefecture: Seine-Saint-Denis (93)',
      'Period: from 2026-11-01T00:00:00.000Z to 2026-11-08T00:00:00.000Z (UTC, end excluded)',
      'Requests: r-1, r-2',
      'Appointments: a-1',
      'Address prefixes: 203.0.113., 2001:db8:',
      '',
      'Contents:',
      '     120  security events (refused attempts, with IP address)',
      "       3  agents' actions (audit trail)",
      '       1  draws',
      '       1  draw commitments',
      '       2  named requests (identity as stored)',
      '       1  named appointments (identity as stored)',
      '',
      '1. With the tool:',
    ]);
    assert.ok(
      guide.split('\n').includes(`             the previous link's hash; the last link is the head 42:${HEAD_HASH}.`),
    );
    assert.ok(guide.endsWith('(creneau evidence release ID --by EMAIL).\n'));
    assert.deepEqual(linesFrom(guideEn(wholePeriod), 'Requests: none named', 3), [
      'Requests: none named',
      'Appointments: none named',
      'Address prefixes: none named (the whole period)',
    ]);
  });

  it('writes the summary: who, why, scope, counts, reasons and actions, the events named, the head', () => {
    const summary = summaryLinesFr({ ...particulars, counts: countEvents(events) }, events);
    assert.equal(summary.title, 'Dossier de preuves — résumé');
    assert.deepEqual(summary.lines, [
      'Produit le 2026-12-06T10:00:00.000Z par admin@seine-saint-denis.gouv.fr (administrateur).',
      'Motif : Plainte du 5 décembre',
      '',
      '# Périmètre',
      'Préfecture : Seine-Saint-Denis (93)',
      'Période : du 2026-11-01T00:00:00.000Z au 2026-11-08T00:00:00.000Z (UTC, fin exclue)',
      'Demandes : r-1, r-2',
      'Rendez-vous : a-1',
      'Adresses (préfixes) : 203.0.113., 2001:db8:',
      '',
      '# Contenu (nombre par nature)',
      '       3  événements de sécurité (tentatives refusées, avec adresse IP)',
      '       2  actions des agents (journal d’audit)',
      '       1  tirages au sort',
      '       0  engagements de tirage',
      '       1  demandes nommées (identité telle qu’enregistrée)',
      '       2  rendez-vous nommés (identité telle qu’enregistrée)',
      '',
      '# Par motif (sécurité) et par action (audit)',
      '  1 × audit:',
      '  1 × audit:request.cancel',
      '  2 × security:pow_invalid',
      '  1 × security:rate_limited',
      '',
      '# Tentatives refusées et dossiers nommés (instant UTC, adresse, motif)',
      '  2026-11-01 09:00:00Z  demande R-93-0001 (waiting) : Diallo Aminata',
      '  2026-11-02 08:15:30Z  203.0.113.7  pow_invalid  POST /api/requests',
      '  2026-11-02 09:00:00Z  -  rate_limited  POST /api/otp',
      '  2026-11-03 11:00:00Z  203.0.113.9  pow_invalid  POST /api/requests',
      '  2026-11-04 14:30:00Z  rendez-vous RDV-93-0002 (booked) : Martin ',
      '  2026-11-05 07:00:00Z  rendez-vous RDV-93-0003 (cancelled) :  ',
      '',
      '# Chaîne de preuves',
      'Tête de la chaîne au moment de l’export : maillon 42',
      `  ${HEAD_HASH}`,
      'Maillons des événements du dossier : 3',
      '',
      '# Vérifier',
      'Signature Ed25519 du manifeste (clé key-2026) : manifest.sig, clé : public-key.pem.',
      '  creneau evidence verify-pack dossier.zip --public-key cle-publiee.pem',
      'ou à la main (OpenSSL, sha256sum) : voir GUIDE-fr.txt.',
      '',
      'Une conservation (legal hold) empêche la purge de ces données jusqu’à sa levée.',
    ]);
  });

  it('leaves out the sections with nothing to list, and names the role in French when it knows it', () => {
    const draws = [event('draw', '4', '2026-11-01T18:00:00.000Z', { action: 'scheduled' })];
    const m = { ...wholePeriod, createdBy: { ...wholePeriod.createdBy, role: 'counter' }, included: [] };
    const summary = summaryLinesFr({ ...m, counts: countEvents(draws) }, draws);
    assert.deepEqual(summary.lines.slice(0, 19), [
      'Produit le 2026-12-06T10:00:00.000Z par admin@seine-saint-denis.gouv.fr (agent).',
      'Motif : Plainte du 5 décembre',
      '',
      '# Périmètre',
      'Préfecture : Seine-Saint-Denis (93)',
      'Période : du 2026-11-01T00:00:00.000Z au 2026-11-08T00:00:00.000Z (UTC, fin exclue)',
      'Demandes : aucune nommée',
      'Rendez-vous : aucun nommé',
      'Adresses (préfixes) : aucune nommée (toute la période)',
      '',
      '# Contenu (nombre par nature)',
      '       0  événements de sécurité (tentatives refusées, avec adresse IP)',
      '       0  actions des agents (journal d’audit)',
      '       1  tirages au sort',
      '       0  engagements de tirage',
      '       0  demandes nommées (identité telle qu’enregistrée)',
      '       0  rendez-vous nommés (identité telle qu’enregistrée)',
      '',
      '# Chaîne de preuves',
    ]);
    assert.ok(summary.lines.includes('Maillons des événements du dossier : 0'));
    const produced = (role: string) =>
      summaryLinesFr({ ...particulars, createdBy: { ...particulars.createdBy, role } }, []).lines[0];
    assert.equal(
      produced('supervisor'),
      'Produit le 2026-12-06T10:00:00.000Z par admin@seine-saint-denis.gouv.fr (superviseur).',
    );
    assert.equal(
      produced('auditor'),
      'Produit le 2026-12-06T10:00:00.000Z par admin@seine-saint-denis.gouv.fr (auditor).',
    );
  });

  it(`lists at most ${SUMMARY_EVENTS_MAX} events in the summary, then how many more are in events.csv`, () => {
    assert.equal(SUMMARY_EVENTS_MAX, 300);
    const refused = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        event('security', String(i + 1), new Date(Date.UTC(2026, 10, 2) + i * 1000).toISOString(), {
          ip: '203.0.113.7',
          subject: 'POST /api/requests',
          action: 'pow_invalid',
        }),
      );
    // Draws and audit actions are not listed: 302 refused attempts among 304 events.
    const audit = event('audit', '9', '2026-11-02T00:00:00.000Z', { action: 'request.cancel' });
    const draw = event('draw', '4', '2026-11-02T00:00:00.000Z', { action: 'scheduled' });
    const listed = (list: PackEvent[]) => {
      const lines = summaryLinesFr(particulars, list).lines;
      const start = lines.indexOf('# Tentatives refusées et dossiers nommés (instant UTC, adresse, motif)') + 1;
      return lines.slice(start, lines.indexOf('', start));
    };
    const over = listed([audit, draw, ...refused(302)]);
    assert.equal(over.length, 301);
    assert.deepEqual(over.slice(0, 2), [
      '  2026-11-02 00:00:00Z  203.0.113.7  pow_invalid  POST /api/requests',
      '  2026-11-02 00:00:01Z  203.0.113.7  pow_invalid  POST /api/requests',
    ]);
    // The 300th is the one of second 299 (00:04:59).
    assert.deepEqual(over.slice(-2), [
      '  2026-11-02 00:04:59Z  203.0.113.7  pow_invalid  POST /api/requests',
      '  … et 2 autres : voir events.csv',
    ]);
    const exactly = listed(refused(300));
    assert.equal(exactly.length, 300);
    assert.equal(exactly.at(-1), '  2026-11-02 00:04:59Z  203.0.113.7  pow_invalid  POST /api/requests');
  });
});
