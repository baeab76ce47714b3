// The convocation's QR code (app/convocations/issue-convocation.ts): a small, fixed version.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { signerFromConfig } from '../../src/adapters/ed25519-signer.ts';
import { convocationToken, issueConvocation } from '../../src/app/convocations/issue-convocation.ts';
import { convocationPng } from '../../src/app/notifications/render-email.ts';

const AID = '3f2b8c1e-9a4d-4e6f-8b7a-0c1d2e3f4a5b';
const signer = signerFromConfig({
  convocationSigningKey: null,
  identityKeySecret: 'test-identity-secret-0123456789abcdef',
});

describe('convocation QR code', () => {
  it('renders a well-formed SVG of a version ≤ 6 QR code of the token', async () => {
    const issued = await issueConvocation(signer, {
      id: AID,
      reference: 'K7M4-9XQ2-HT',
      endsAt: new Date('2026-06-02T07:30:00Z'),
      timeZone: 'Europe/Paris',
    });
    assert.equal(issued.shortCode, 'K7M4-9XQ2-HT');
    assert.equal(issued.expiresAt, '2026-06-02T22:00:00.000Z');
    assert.match(
      issued.qrSvg,
      /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* viewBox="0 0 (\d+) \1"[^>]*>.*<\/svg>\s*$/s,
    );
    assert.match(issued.qrSvg, /<path [^>]*d="M[^"]{100,}"/);
    const qr = QRCode.create(issued.token, { errorCorrectionLevel: 'M' });
    assert.ok(qr.version <= 6, `version ${qr.version}`);
    assert.equal(qr.modules.size, 17 + 4 * qr.version);
    // The SVG is the same symbol: its view box is the modules plus the 2-module margin on each side.
    const viewBox = Number(/viewBox="0 0 (\d+)/.exec(issued.qrSvg)![1]);
    assert.equal(viewBox, qr.modules.size + 4);
  });

  it('stays at version 6 for any appointment (fixed-length tokens)', () => {
    for (const ref of ['2222-2222-22', 'ZZZZ-ZZZZ-ZZ']) {
      const { token } = convocationToken(signer, {
        id: 'ffffffff-ffff-4fff-bfff-ffffffffffff',
        reference: ref,
        endsAt: new Date('2099-12-31T12:00:00Z'),
        timeZone: 'Pacific/Noumea',
      });
      assert.ok(QRCode.create(token, { errorCorrectionLevel: 'M' }).version <= 6);
    }
  });

  it('mails a PNG of the same symbol, 6 pixels a module, every row with the Paeth filter', async () => {
    const appointment = {
      id: AID,
      reference: 'K7M4-9XQ2-HT',
      endsAt: new Date('2026-06-02T07:30:00Z'),
      timeZone: 'Europe/Paris',
    };
    const { shortCode, qrPng } = await convocationPng(
      convocationToken(signer, appointment).token,
      appointment.reference,
    );
    assert.equal(shortCode, 'K7M4-9XQ2-HT');
    const qr = QRCode.create(convocationToken(signer, appointment).token, { errorCorrectionLevel: 'M' });
    const image = PNG.sync.read(qrPng);
    const side = (qr.modules.size + 4) * 6;
    assert.deepEqual([image.width, image.height], [side, side]);
    // Each module sampled at its centre: dark exactly where the symbol's module is set.
    const wrong: string[] = [];
    for (let row = 0; row < qr.modules.size; row++)
      for (let col = 0; col < qr.modules.size; col++) {
        const at = (((row + 2) * 6 + 3) * side + (col + 2) * 6 + 3) * 4;
        if (image.data[at]! < 128 !== Boolean(qr.modules.get(row, col))) wrong.push(`${row},${col}`);
      }
    assert.deepEqual(wrong, []);
    // The filter byte that starts each row of the inflated image data (RGBA: 4 bytes a pixel).
    const idat: Buffer[] = [];
    for (let at = 8; at < qrPng.length; ) {
      const length = qrPng.readUInt32BE(at);
      if (qrPng.toString('latin1', at + 4, at + 8) === 'IDAT') idat.push(qrPng.subarray(at + 8, at + 8 + length));
      at += 12 + length;
    }
    const pixels = inflateSync(Buffer.concat(idat));
    const rowBytes = 1 + side * 4;
    assert.equal(pixels.length, side * rowBytes);
    const filters = new Set(Array.from({ length: side }, (_, row) => pixels[row * rowBytes]));
    assert.deepEqual([...filters], [4]);
  });
});
