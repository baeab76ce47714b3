// What to bring (domain/what-to-bring.ts): the procedure's instructions, the identity document it
// checks and, for an appointment, the convocation — the same list in the pages, the PDF and the
// messages.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { whatToBring } from '../../src/domain/what-to-bring.ts';

/** A translation that shows the key it was asked for. */
const t = (key: string) => `<${key}>`;

it('lists the instructions, the passport and the convocation for an appointment', () => {
  assert.deepEqual(whatToBring({ instructions: 'Deux photos d’identité.', identityProof: 'passport' }, t), {
    title: '<common:bring.title>',
    items: ['Deux photos d’identité.', '<common:bring.passport>', '<common:bring.convocation>'],
  });
});

it('names the AGDREF document when the procedure checks it', () => {
  assert.deepEqual(whatToBring({ instructions: 'Un justificatif de domicile.', identityProof: 'agdref' }, t, true), {
    title: '<common:bring.title>',
    items: ['Un justificatif de domicile.', '<common:bring.agdref>', '<common:bring.convocation>'],
  });
});

it('leaves out instructions a procedure does not have, and the convocation outside an appointment', () => {
  assert.deepEqual(whatToBring({ instructions: '', identityProof: 'agdref' }, t, false), {
    title: '<common:bring.title>',
    items: ['<common:bring.agdref>'],
  });
  assert.deepEqual(whatToBring({ instructions: '', identityProof: 'passport' }, t), {
    title: '<common:bring.title>',
    items: ['<common:bring.passport>', '<common:bring.convocation>'],
  });
});
