import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signerFromConfig } from '../../src/adapters/ed25519-signer.ts';
import { signAttestation } from '../../src/app/requests/issue-attestation.ts';
import {
  ATTESTATION_SIGNING_CONTEXT,
  type AttestationFacts,
  attestationText,
  decodeAttestationPayload,
  encodeAttestationPayload,
  formatAttestationToken,
  parseAttestationToken,
  signedAttestationMessage,
} from '../../src/domain/attestation.ts';
import { CONVOCATION_SIGNING_CONTEXT, signedMessage } from '../../src/domain/convocation.ts';
import {
  assertLiveRequest,
  assertRequestable,
  assertUrgencyDate,
  type ClassCount,
  normalisePreferences,
  standingOf,
} from '../../src/domain/request-rules.ts';
import { toWinAnsi } from '../../src/http/views/attestation-pdf.ts';
import { ATTESTATION_FACTS } from '../support/attestation-facts.ts';

const PREFECTURE_SITES = ['bobigny', 'saint-denis', 'le-raincy', 'antenne-villetaneuse'];
// Bobigny opens Monday–Thursday for the procedure, Saint-Denis on Fridays; the others not at all.
const RECEIVING = [
  { siteId: 'bobigny', weekdays: [1, 2, 3, 4] },
  { siteId: 'saint-denis', weekdays: [5] },
];

const code = (fn: () => unknown): string | null => {
  try {
    fn();
    return null;
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
};

describe('which procedures take requests', () => {
  it('takes every procedure done at a counter (one flow), and says why postal and online ones are refused', () => {
    assert.doesNotThrow(() => assertRequestable({ channel: 'appointment' }));
    assert.throws(
      () => assertRequestable({ channel: 'postal' }),
      (e: any) => e.code === 'PROCEDURE_NOT_REQUESTABLE' && /by post/.test(e.message),
    );
    assert.throws(
      () => assertRequestable({ channel: 'online' }),
      (e: any) => e.code === 'PROCEDURE_NOT_REQUESTABLE' && /online/.test(e.message),
    );
  });

  it('changes only live requests', () => {
    assert.doesNotThrow(() => assertLiveRequest({ status: 'waiting' }));
    assert.doesNotThrow(() => assertLiveRequest({ status: 'offered' }));
    for (const status of ['booked', 'withdrawn', 'closed'] as const)
      assert.equal(
        code(() => assertLiveRequest({ status })),
        'REQUEST_NOT_ACTIVE',
      );
  });
});

describe('preferences', () => {
  it('normalises them as sets: sorted, without repeats', () => {
    const p = normalisePreferences(
      { siteIds: ['saint-denis', 'bobigny', 'bobigny'], weekdays: [5, 2, 2], halfDays: ['pm', 'am', 'pm'] },
      PREFECTURE_SITES,
      RECEIVING,
    );
    assert.deepEqual(p, { siteIds: ['bobigny', 'saint-denis'], weekdays: [2, 5], halfDays: ['am', 'pm'] });
  });

  it('refuses a site of another prefecture, a site that does not receive the procedure, and empty sets', () => {
    const base = { siteIds: ['bobigny'], weekdays: [1], halfDays: ['am'] };
    // Which field, and why: every refusal below is VALIDATION_FAILED, so the code alone would
    // not tell one check from the last one (no chosen site opens on a chosen weekday).
    const refusal = (input: Partial<typeof base>): string | null => {
      try {
        normalisePreferences({ ...base, ...input }, PREFECTURE_SITES, RECEIVING);
        return null;
      } catch (e) {
        const { code, details } = e as { code: string; details?: { errors?: { path: string; message: string }[] } };
        return details?.errors ? `${details.errors[0]!.path}: ${details.errors[0]!.message}` : code;
      }
    };
    assert.equal(refusal({ siteIds: ['cayenne'] }), 'SITE_NOT_FOUND');
    assert.equal(
      refusal({ siteIds: ['le-raincy'] }),
      'preferences.siteIds: the site le-raincy does not receive this procedure',
    );
    assert.equal(refusal({ siteIds: [] }), 'preferences.siteIds: choose at least one site');
    const many = Array.from({ length: 21 }, (_, i) => `site-${String(i).padStart(2, '0')}`);
    assert.equal(refusal({ siteIds: many }), 'preferences.siteIds: at most 20 sites');
    // 20 sites are allowed (here refused further on, as none of them is in the prefecture).
    assert.equal(refusal({ siteIds: many.slice(0, 20) }), 'SITE_NOT_FOUND');
    assert.equal(refusal({ weekdays: [] }), 'preferences.weekdays: choose at least one weekday');
    for (const weekdays of [[0], [8], [1.5], [1, 8]])
      assert.equal(
        refusal({ weekdays }),
        'preferences.weekdays: weekdays are 1 (Monday) to 7 (Sunday)',
        String(weekdays),
      );
    assert.equal(refusal({ weekdays: [1, 7] }), null);
    for (const halfDays of [['evening'], [], ['am', 'evening']])
      assert.equal(refusal({ halfDays }), "preferences.halfDays: half-days are 'am' and/or 'pm'", String(halfDays));
  });

  it('refuses a request nothing can satisfy: no chosen site opens on a chosen weekday', () => {
    assert.throws(
      () =>
        normalisePreferences({ siteIds: ['bobigny'], weekdays: [5, 6], halfDays: ['am'] }, PREFECTURE_SITES, RECEIVING),
      (e: any) => e.code === 'VALIDATION_FAILED' && e.details.errors[0].path === 'preferences.weekdays',
    );
    // Saint-Denis opens on Fridays: the same weekdays are fine with it.
    assert.doesNotThrow(() =>
      normalisePreferences(
        { siteIds: ['bobigny', 'saint-denis'], weekdays: [5, 6], halfDays: ['am'] },
        PREFECTURE_SITES,
        RECEIVING,
      ),
    );
  });
});

describe('urgency date', () => {
  it('accepts real dates within ten years of today, either way, and none', () => {
    // The bounds: 10 × 366 days either way of 2026-06-01, both included.
    for (const date of [null, '2026-06-01', '2016-06-10', '2036-05-01', '2024-02-29', '2016-05-24', '2036-06-08'])
      assert.doesNotThrow(() => assertUrgencyDate(date, '2026-06-01'));
  });
  it('refuses impossible or far-off dates', () => {
    for (const date of [
      '2026-02-30',
      '2026-13-01',
      '2026-6-1',
      '1990-01-01',
      '2040-01-01',
      '2016-05-23',
      '2036-06-09',
    ]) {
      assert.equal(
        code(() => assertUrgencyDate(date, '2026-06-01')),
        'VALIDATION_FAILED',
        date,
      );
    }
  });
});

describe('where a request stands', () => {
  // The queue of the worked example: 3 requests of class 0, 12 of class 1, 40 of class 2;
  // ours is in class 1; 4 of its class were queued on earlier days, 7 others on its day.
  const classes: ClassCount[] = [
    { priorityClass: 0, waiting: 3, inEarlierBatches: 1, inSameBatch: 2 },
    { priorityClass: 1, waiting: 5, inEarlierBatches: 4, inSameBatch: 1 }, // two urgency dates of class 1…
    { priorityClass: 1, waiting: 7, inEarlierBatches: 0, inSameBatch: 7 }, // …counted together (7 others + this one)
    { priorityClass: 2, waiting: 40, inEarlierBatches: 12, inSameBatch: 20 }, // 8 queued on later days
  ];

  it('counts the more urgent, the earlier batches, and half of its own batch (worked example)', () => {
    const s = standingOf({ priorityClass: 1, classes, slotsServed: 56, windowDays: 28 });
    assert.deepEqual(
      {
        earlier: s.earlierInClass,
        same: s.sameBatch,
        classSize: s.classSize,
        ahead: s.aheadOverall,
        total: s.waitingTotal,
        days: s.estimatedWaitDays,
        perDay: s.capacity.perDay,
      },
      { earlier: 4, same: 7, classSize: 12, ahead: 3 + 4 + 3, total: 55, days: 6, perDay: 2 },
    );
  });

  it('says "unknown" when the draws served nothing recently, never a made-up number', () => {
    const s = standingOf({ priorityClass: 2, classes, slotsServed: 0, windowDays: 28 });
    assert.equal(s.estimatedWaitDays, 'unknown');
    assert.equal(s.capacity.perDay, null);
    assert.deepEqual(
      [s.earlierInClass, s.sameBatch, s.aheadOverall],
      [12, 19, 3 + 12 + 12 + 9],
      'those of later days are not ahead',
    );
  });

  it('the only request of the most urgent class is next: one slot a week means 7 days', () => {
    const s = standingOf({
      priorityClass: 0,
      classes: [{ priorityClass: 0, waiting: 1, inEarlierBatches: 0, inSameBatch: 1 }],
      slotsServed: 4,
      windowDays: 28,
    });
    assert.deepEqual([s.sameBatch, s.aheadOverall, s.estimatedWaitDays], [0, 0, 7]);
  });
});

describe('attestation token', () => {
  const signer = signerFromConfig({
    convocationSigningKey: null,
    identityKeySecret: 'test-identity-secret-0123456789abcdef',
  });
  const FACTS: AttestationFacts = ATTESTATION_FACTS;

  it('round-trips the facts, and parses only the canonical payload', () => {
    const bytes = encodeAttestationPayload(FACTS);
    assert.deepEqual(decodeAttestationPayload(bytes), FACTS);
    const spaced = new TextEncoder().encode(JSON.stringify(JSON.parse(new TextDecoder().decode(bytes)), null, 1));
    assert.equal(decodeAttestationPayload(spaced), null);
    const extra = new TextEncoder().encode(new TextDecoder().decode(bytes).replace('}', ',"x":1}'));
    assert.equal(decodeAttestationPayload(extra), null);
  });

  it('a signed token parses back, also copied with line breaks, and nothing else does', () => {
    const token = signAttestation(signer, FACTS);
    const parsed = parseAttestationToken(token)!;
    assert.deepEqual(parsed.facts, FACTS);
    assert.ok(signer.verify(signedAttestationMessage(parsed.payloadBytes), parsed.signature));
    assert.deepEqual(parseAttestationToken(`  ${token.slice(0, 64)}\n${token.slice(64)}\n`)?.facts, FACTS);
    for (const bad of [
      '',
      '.',
      token.replace('.', ''),
      `${token}.x`,
      `${token}=`,
      token.replace(/^./, '*'),
      'a'.repeat(5000),
    ]) {
      assert.equal(parseAttestationToken(bad), null, bad.slice(0, 20));
    }
  });

  it('a convocation signature over the same bytes never passes as an attestation: the contexts differ', () => {
    assert.notEqual(ATTESTATION_SIGNING_CONTEXT, CONVOCATION_SIGNING_CONTEXT);
    const payload = encodeAttestationPayload(FACTS);
    const convocationSignature = signer.sign(signedMessage(payload));
    const forged = parseAttestationToken(formatAttestationToken(payload, convocationSignature))!;
    assert.ok(forged, 'well formed');
    assert.equal(signer.verify(signedAttestationMessage(forged.payloadBytes), forged.signature), false);
  });

  it("states the facts in French and English, dates in the prefecture's time zone", () => {
    const text = attestationText({
      facts: FACTS,
      prefectureName: 'Préfecture de la Seine-Saint-Denis',
      procedureNameFr: "Entretien d'assimilation",
      procedureNameEn: 'Naturalisation interview',
      timeZone: 'Europe/Paris',
      verifyUrl: 'https://rdv.example.gouv.fr/attestation/verify',
    });
    // How to check it, in words, with the public page — no API call to make.
    for (const language of ['fr', 'en'] as const) {
      assert.ok(text[language].verify.includes('https://rdv.example.gouv.fr/attestation/verify'), language);
      assert.doesNotMatch(text[language].verify, /POST|\/api\//, language);
    }
    assert.match(text.fr.verify, /« attestation valide »/);
    assert.match(text.en.verify, /"invalid certificate"/);
    assert.match(text.fr.statement, /Thị Lan NGUYỄN, né\(e\) le 12 avril 1990, a déposé le 1 juin 2026 à 10h00/);
    assert.match(text.fr.status, /le 10 juin 2026 à 11h30, cette demande est : en attente/);
    assert.match(text.en.statement, /filed on 1 June 2026 at 10:00 a request/);
    assert.ok(text.fr.fields.some(([label, value]) => label === 'Référence de la demande' && value === 'K7M4-9XQ2-HT'));
  });

  it('prints names in the PDF font as closely as it can', () => {
    assert.equal(toWinAnsi('Nguyễn Thị Lan'), 'Nguyen Thi Lan');
    assert.equal(toWinAnsi('Şahin Yılmaz'), 'Sahin Yilmaz');
    assert.equal(toWinAnsi('Keïta « Aïssata » — Œuvre'), 'Keïta « Aïssata » — Œuvre');
    assert.equal(toWinAnsi('王伟'), '??');
  });
});
