// The evidence pack's file formats (adapters/evidence/evidence-pack-format.ts): the ZIP is the
// same bytes for the same files and instant and reads back; the summary PDF is dated with the
// pack, deterministic, and prints any text; signatures are checked against a PEM key, never
// throwing.
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import { unzipSync } from 'fflate';
import { PDFDocument } from 'pdf-lib';
import { evidencePackFormat as format } from '../../src/adapters/evidence/evidence-pack-format.ts';

const AT = new Date('2026-12-06T12:40:00.686Z');
const utf8 = (text: string) => new TextEncoder().encode(text);

describe('evidence pack formats', () => {
  it('zips the files in order, the same bytes for the same files and instant, and reads them back', () => {
    const files = [
      { name: 'manifest.json', bytes: utf8('{"a":1}\n') },
      { name: 'events.csv', bytes: utf8('kind,id\r\nsecurity,10\r\n') },
    ];
    const zip = format.zip(files, AT);
    assert.deepEqual(format.zip(files, AT), zip);
    assert.notDeepEqual(format.zip(files, new Date('2026-12-06T12:42:00Z')), zip);
    const read = format.unzip(zip)!;
    assert.deepEqual([...read.keys()], ['manifest.json', 'events.csv']);
    assert.equal(new TextDecoder().decode(read.get('events.csv')), 'kind,id\r\nsecurity,10\r\n');
    assert.deepEqual(Object.keys(unzipSync(zip)), ['manifest.json', 'events.csv']);
    // The DOS time of the first entry (offset 10 of the local header): 12:40:00 UTC, whatever the zone.
    const dosTime = zip[10]! | (zip[11]! << 8);
    assert.deepEqual([dosTime >> 11, (dosTime >> 5) & 63, (dosTime & 31) * 2], [12, 40, 0]);
    assert.equal(format.unzip(utf8('not a zip')), null);
  });

  it('checks Ed25519 signatures against a PEM public key, false for anything else', () => {
    const keys = generateKeyPairSync('ed25519');
    const pem = keys.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const message = utf8('{"format":"creneau-evidence-pack/1"}');
    const signature = new Uint8Array(sign(null, message, keys.privateKey));
    assert.equal(format.signatureValid(pem, message, signature), true);
    assert.equal(format.signatureValid(pem, utf8('{"format":"creneau-evidence-pack/2"}'), signature), false);
    assert.equal(format.signatureValid(pem, message, signature.slice(1)), false);
    assert.equal(format.signatureValid('not a key', message, signature), false);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'pem', type: 'spki' });
    assert.equal(format.signatureValid(rsa.toString(), message, signature), false);
  });

  it('sets the summary in pages dated with the pack, the same bytes twice, whatever the characters', async () => {
    const lines = [
      '# Périmètre',
      'Préfecture : Seine-Saint-Denis (93)',
      '',
      `Motif : Plainte « ${'ş'.repeat(3)} » ł ő`,
    ];
    const long = [
      ...lines,
      ...Array.from({ length: 120 }, (_, i) => `  ${i} × security:pow_invalid ${'x'.repeat(150)}`),
    ];
    const pdf = await format.summaryPdf({ title: 'Dossier de preuves — résumé', lines: long, createdAt: AT });
    assert.deepEqual(
      await format.summaryPdf({ title: 'Dossier de preuves — résumé', lines: long, createdAt: AT }),
      pdf,
    );
    const doc = await PDFDocument.load(pdf, { updateMetadata: false });
    assert.equal(doc.getTitle(), 'Dossier de preuves — résumé');
    assert.equal(doc.getCreationDate()?.toISOString(), '2026-12-06T12:40:00.000Z');
    assert.equal(doc.getModificationDate()?.toISOString(), '2026-12-06T12:40:00.000Z');
    assert.ok(doc.getPageCount() >= 4, `${doc.getPageCount()} pages`);
    const short = await PDFDocument.load(await format.summaryPdf({ title: 'T', lines, createdAt: AT }));
    assert.equal(short.getPageCount(), 1);
  });
});
