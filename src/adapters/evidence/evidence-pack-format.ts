// The evidence pack's file formats (ports/evidence-pack.ts): the ZIP (fflate, pinned 0.8.2), the
// French summary (pdf-lib, Helvetica: its WinAnsi set covers French; any other character is
// printed as "?"), and Ed25519 signatures checked against a public key (node:crypto).
//
// Deterministic: ZIP entries in the given order, each dated with the pack's instant written in
// UTC (a ZIP's DOS time has no zone: the same bytes on every machine); the PDF's dates are the
// pack's instant, with no other metadata.
import { createPublicKey, verify } from 'node:crypto';
import { unzipSync, type Zippable, zipSync } from 'fflate';
import type { PDFFont } from 'pdf-lib';
import type { EvidencePackFormat } from '../../ports/evidence-pack.ts';

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 56;
const SIZE = 10;
const LEADING = 13.5;

/** The UTC wall time as a local Date: fflate writes local components into the DOS time. */
const utcWallClock = (at: Date) =>
  new Date(
    at.getUTCFullYear(),
    at.getUTCMonth(),
    at.getUTCDate(),
    at.getUTCHours(),
    at.getUTCMinutes(),
    at.getUTCSeconds(),
  );

/** What the font can print: other characters become "?". */
function printable(font: PDFFont, text: string): string {
  const supported = new Set(font.getCharacterSet());
  return [...text].map((char) => (supported.has(char.codePointAt(0)!) ? char : '?')).join('');
}

/** Words to lines no wider than `width` (a word longer than a line is cut). */
function wrap(font: PDFFont, text: string, width: number): string[] {
  const indent = /^ */.exec(text)![0];
  const lines: string[] = [];
  let line = indent;
  for (const word of text.slice(indent.length).split(' ')) {
    const candidate = line.trim() ? `${line} ${word}` : `${line}${word}`;
    if (font.widthOfTextAtSize(candidate, SIZE) <= width || !line.trim()) line = candidate;
    else {
      lines.push(line);
      line = `${indent}  ${word}`;
    }
    while (font.widthOfTextAtSize(line, SIZE) > width && line.length > 1) {
      let cut = line.length - 1;
      while (cut > 1 && font.widthOfTextAtSize(line.slice(0, cut), SIZE) > width) cut--;
      lines.push(line.slice(0, cut));
      line = `${indent}  ${line.slice(cut)}`;
    }
  }
  lines.push(line);
  return lines;
}

export const evidencePackFormat: EvidencePackFormat = {
  zip(files, at) {
    const entries: Zippable = {};
    for (const file of files) entries[file.name] = [file.bytes, { level: 6 }];
    return zipSync(entries, { mtime: utcWallClock(at) });
  },

  unzip(bytes) {
    try {
      return new Map(Object.entries(unzipSync(bytes)));
    } catch {
      return null;
    }
  },

  signatureValid(publicKeyPem, message, signature) {
    if (signature.length !== 64) return false;
    try {
      const key = createPublicKey({ key: publicKeyPem, format: 'pem' });
      return key.asymmetricKeyType === 'ed25519' && verify(null, message, key, signature);
    } catch {
      return false;
    }
  },

  async summaryPdf({ title, lines, createdAt }) {
    // pdf-lib is loaded by the first pack, not by every process that builds the ports.
    const { PDFDocument, StandardFonts } = await import('pdf-lib');
    const doc = await PDFDocument.create({ updateMetadata: false });
    doc.setTitle(title);
    doc.setCreator('Créneau');
    doc.setProducer('Créneau (pdf-lib)');
    doc.setCreationDate(createdAt);
    doc.setModificationDate(createdAt);
    const regular = await doc.embedFont(StandardFonts.Helvetica);
    const bold = await doc.embedFont(StandardFonts.HelveticaBold);
    const width = A4[0] - 2 * MARGIN;
    let page = doc.addPage(A4);
    let y = A4[1] - MARGIN;
    page.drawText(printable(bold, title), { x: MARGIN, y, size: 15, font: bold });
    y -= 28;
    for (const entry of lines) {
      // "# " opens a heading.
      const heading = entry.startsWith('# ');
      const paragraph = heading ? entry.slice(2) : entry;
      const font = heading ? bold : regular;
      for (const line of paragraph === '' ? [''] : wrap(font, printable(font, paragraph), width)) {
        if (y < MARGIN) {
          page = doc.addPage(A4);
          y = A4[1] - MARGIN;
        }
        if (line) page.drawText(line, { x: MARGIN, y, size: SIZE, font });
        y -= paragraph === '' ? LEADING / 2 : LEADING;
      }
    }
    return doc.save({ useObjectStreams: false });
  },
};
