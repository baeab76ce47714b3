import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fitsInTwoSegments,
  inboundSmsIntent,
  internationalNumber,
  smsDay,
  smsLength,
  smsPhoneMaterial,
  toGsm7,
} from '../../src/domain/sms-rules.ts';

describe('SMS rules', () => {
  it('counts GSM-7 septets (an extension character is two) and switches to UCS-2 on any other character', () => {
    assert.deepEqual(smsLength('Rendez-vous confirmé à 09h00'), { encoding: 'gsm7', units: 28, segments: 1 });
    assert.deepEqual(smsLength('€'), { encoding: 'gsm7', units: 2, segments: 1 });
    assert.deepEqual(smsLength('a'.repeat(161)), { encoding: 'gsm7', units: 161, segments: 2 });
    assert.deepEqual(smsLength('a'.repeat(307)), { encoding: 'gsm7', units: 307, segments: 3 });
    assert.deepEqual(smsLength('Être'), { encoding: 'ucs2', units: 4, segments: 1 });
    assert.deepEqual(smsLength(`ê${'a'.repeat(133)}`), { encoding: 'ucs2', units: 134, segments: 2 });
    assert.equal(smsLength(`ê${'a'.repeat(134)}`).segments, 3);
  });

  it('keeps one segment up to 160 septets or 70 UTF-16 units, and splits one more', () => {
    assert.deepEqual(smsLength('a'.repeat(160)), { encoding: 'gsm7', units: 160, segments: 1 });
    assert.deepEqual(smsLength(`${'a'.repeat(159)}€`), { encoding: 'gsm7', units: 161, segments: 2 });
    assert.deepEqual(smsLength(`ê${'a'.repeat(69)}`), { encoding: 'ucs2', units: 70, segments: 1 });
    assert.deepEqual(smsLength(`ê${'a'.repeat(70)}`), { encoding: 'ucs2', units: 71, segments: 2 });
  });

  it('fits a text in two segments: 306 septets or 134 UTF-16 units, not one more', () => {
    assert.equal(fitsInTwoSegments('a'.repeat(306)), true);
    assert.equal(fitsInTwoSegments('a'.repeat(307)), false);
    assert.equal(fitsInTwoSegments(`${'a'.repeat(304)}€`), true);
    assert.equal(fitsInTwoSegments(`${'a'.repeat(305)}€`), false);
    assert.equal(fitsInTwoSegments(`ê${'a'.repeat(133)}`), true);
    assert.equal(fitsInTwoSegments(`ê${'a'.repeat(134)}`), false);
    assert.equal(fitsInTwoSegments('Bonjour'), true);
  });

  it('writes any text in GSM-7: accents outside it dropped, typographic marks made plain', () => {
    assert.equal(toGsm7('Sous-préfecture de Saint-Benoît'), 'Sous-préfecture de Saint-Benoit');
    assert.equal(toGsm7('Façade « Nord » – l’accueil…'), 'Facade " Nord " - l\'accueil...');
    assert.equal(toGsm7('à é è ù Ç'), 'à é è ù Ç');
    assert.equal(toGsm7('✓'), '?');
    // The same name with its accents as combining marks (decomposed form), as some systems type it.
    assert.equal(toGsm7('Saint-Benoi\u0302t'), 'Saint-Benoit');
    assert.equal(toGsm7('e\u0301te\u0301'), 'été');
    // Every typographic mark the translations and site names use, each made plain.
    assert.equal(toGsm7('\u2018a\u2019 \u201cb\u201d c\u2013d\u2014e'), '\'a\' "b" c-d-e');
    assert.equal(toGsm7('9\u00a0h\u202f00'), '9 h 00');
    assert.equal(smsLength(toGsm7('Saint-Benoît, Île-de-France')).encoding, 'gsm7');
  });

  it('writes stored numbers in E.164, overseas ones with their own country code', () => {
    assert.equal(internationalNumber('0612345678'), '+33612345678');
    assert.equal(internationalNumber('0694123456'), '+594694123456');
    assert.equal(internationalNumber('0692123456'), '+262692123456');
    // ARCEP's plan, every prefix: Guadeloupe, Saint-Martin and Saint-Barthélemy (+590), Guyane
    // (+594), Martinique (+596), La Réunion and Mayotte (+262).
    const overseas: [string, string][] = [
      ['0590123456', '+590590123456'],
      ['0690123456', '+590690123456'],
      ['0691123456', '+590691123456'],
      ['0594123456', '+594594123456'],
      ['0694123456', '+594694123456'],
      ['0596123456', '+596596123456'],
      ['0696123456', '+596696123456'],
      ['0697123456', '+596697123456'],
      ['0262123456', '+262262123456'],
      ['0263123456', '+262263123456'],
      ['0692123456', '+262692123456'],
      ['0693123456', '+262693123456'],
      ['0269123456', '+262269123456'],
      ['0639123456', '+262639123456'],
    ];
    for (const [stored, e164] of overseas) assert.equal(internationalNumber(stored), e164, stored);
    // Metropolitan numbers near those prefixes stay +33.
    assert.equal(internationalNumber('0695123456'), '+33695123456');
    assert.equal(internationalNumber('0261123456'), '+33261123456');
    assert.equal(internationalNumber('+221771234567'), '+221771234567');
  });

  it('counts the day in Paris', () => {
    assert.equal(smsDay(new Date('2026-06-01T21:59:59Z')), '2026-06-01');
    assert.equal(smsDay(new Date('2026-06-01T22:00:00Z')), '2026-06-02');
  });

  it('reads STOP and START, whatever the case, accents and punctuation', () => {
    assert.equal(inboundSmsIntent(' stop. '), 'stop');
    assert.equal(inboundSmsIntent('Arrêt'), 'stop');
    assert.equal(inboundSmsIntent('STOP SMS'), 'stop');
    assert.equal(inboundSmsIntent('start'), 'start');
    assert.equal(inboundSmsIntent('- stop'), 'stop');
    assert.equal(inboundSmsIntent('« Start »'), 'start');
    assert.equal(inboundSmsIntent('Désabonner'), 'stop');
    assert.equal(inboundSmsIntent('UNSTOP'), 'start');
    assert.equal(inboundSmsIntent('stopper ?'), 'none');
    assert.equal(inboundSmsIntent('Je ne peux pas venir'), 'none');
    // The word must open the message: one further in is no request.
    assert.equal(inboundSmsIntent('Ne pas stop'), 'none');
    assert.equal(inboundSmsIntent('Please start again'), 'none');
  });

  it('keys a number by "sms-phone:" and the stored number', () => {
    assert.equal(smsPhoneMaterial('0612345678'), 'sms-phone:0612345678');
  });
});
