import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inboundSmsIntent, internationalNumber, smsDay, smsLength, toGsm7 } from '../../src/domain/sms-rules.ts';

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

  it('writes any text in GSM-7: accents outside it dropped, typographic marks made plain', () => {
    assert.equal(toGsm7('Sous-préfecture de Saint-Benoît'), 'Sous-préfecture de Saint-Benoit');
    assert.equal(toGsm7('Façade « Nord » – l’accueil…'), 'Facade " Nord " - l\'accueil...');
    assert.equal(toGsm7('à é è ù Ç'), 'à é è ù Ç');
    assert.equal(toGsm7('✓'), '?');
    assert.equal(smsLength(toGsm7('Saint-Benoît, Île-de-France')).encoding, 'gsm7');
  });

  it('writes stored numbers in E.164, overseas ones with their own country code', () => {
    assert.equal(internationalNumber('0612345678'), '+33612345678');
    assert.equal(internationalNumber('0694123456'), '+594694123456');
    assert.equal(internationalNumber('0692123456'), '+262692123456');
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
    assert.equal(inboundSmsIntent('stopper ?'), 'none');
    assert.equal(inboundSmsIntent('Je ne peux pas venir'), 'none');
  });
});
