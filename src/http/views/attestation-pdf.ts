// The attestation as a one-page A4 PDF (pdf-lib): the same words as the HTML page
// (domain/attestation.ts), French then English, the QR code drawn as vector squares, and
// the token in the document's metadata (keywords) as well as on the page.
//
// The PDF's standard fonts (Helvetica) encode WinAnsi (Windows-1252) only, which covers
// French, but not every name: outside it, letters lose their accents ("Nguyễn" → "Nguyen",
// "Şahin" → "Sahin") and anything else becomes "?". The HTML page keeps the exact spelling,
// and the signed token (checked by the verification endpoint) carries it.
import { PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from 'pdf-lib';
import QRCode from 'qrcode';
import { attestationText } from '../../domain/attestation.ts';
import { type AttestationDocument, tokenLines } from './attestation-html.ts';

export const A4: [number, number] = [595.28, 841.89];
export const MARGIN = 50;
export const BLUE = rgb(0, 0, 145 / 255);
export const GREY = rgb(0.23, 0.23, 0.23);
const BLACK = rgb(0.09, 0.09, 0.09);

// Windows-1252 beyond Latin-1: the characters of 0x80–0x9F.
const CP1252_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
const TRANSLITERATED: Record<string, string> = {
  ı: 'i',
  ł: 'l',
  Ł: 'L',
  đ: 'd',
  Đ: 'D',
  ħ: 'h',
  ŧ: 't',
  '\u202f': ' ',
  '\u2009': ' ',
};

const isWinAnsi = (c: string): boolean => {
  const code = c.codePointAt(0)!;
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || CP1252_EXTRA.has(c);
};

/** What Helvetica can print: "Nguyễn Thị" → "Nguyen Thi", "Şahin" → "Sahin", "Ahmadi" unchanged. */
export function toWinAnsi(text: string): string {
  let out = '';
  for (const c of text) {
    if (isWinAnsi(c)) out += c;
    else if (TRANSLITERATED[c] !== undefined) out += TRANSLITERATED[c];
    else {
      const stripped = c.normalize('NFKD').replace(/\p{M}/gu, '');
      out += [...stripped].every(isWinAnsi) && stripped !== '' ? stripped : '?';
    }
  }
  return out;
}

/** Writes down the page, top to bottom, and starts a new page when one is full (the convocation's PDF uses it too). */
export class Writer {
  y = A4[1] - MARGIN;
  page: PDFPage;
  /** `encode`: what the fonts can write (the standard fonts: Windows-1252; embedded Unicode fonts: the text as it is). */
  constructor(
    private readonly pdf: PDFDocument,
    private readonly fonts: { regular: PDFFont; bold: PDFFont; mono: PDFFont },
    private readonly encode: (text: string) => string = toWinAnsi,
  ) {
    this.page = pdf.addPage(A4);
  }

  /** Room for `height` points below the current line, on this page or a new one. */
  ensure(height: number): void {
    if (this.y - height >= MARGIN) return;
    this.page = this.pdf.addPage(A4);
    this.y = A4[1] - MARGIN;
  }

  /** Writes `text` wrapped to the width left from `x`, then moves down. */
  paragraph(
    text: string,
    options: {
      size?: number;
      bold?: boolean;
      color?: ReturnType<typeof rgb>;
      x?: number;
      width?: number;
      after?: number;
    } = {},
  ): void {
    const size = options.size ?? 10;
    const font = options.bold ? this.fonts.bold : this.fonts.regular;
    const x = options.x ?? MARGIN;
    const width = options.width ?? A4[0] - MARGIN - x;
    for (const line of wrap(this.encode(text), font, size, width)) {
      this.ensure(size * 1.35);
      this.y -= size * 1.35;
      this.page.drawText(line, { x, y: this.y, size, font, color: options.color ?? BLACK });
    }
    this.y -= options.after ?? size * 0.6;
  }

  /** Label and value side by side, one row per pair. */
  fields(pairs: [string, string][], size = 9.5): void {
    const labelWidth = 150;
    for (const [label, value] of pairs) {
      this.ensure(size * 1.35 * 3);
      const top = this.y;
      this.paragraph(label, { size, bold: true, width: labelWidth - 8, after: 0 });
      const afterLabel = this.y;
      this.y = top;
      this.paragraph(value, { size, x: MARGIN + labelWidth, after: 0 });
      this.y = Math.min(this.y, afterLabel) - 3;
    }
    this.y -= 6;
  }

  mono(lines: string[], x: number, size = 7.5): void {
    for (const line of lines) {
      this.y -= size * 1.3;
      this.page.drawText(line, { x, y: this.y, size, font: this.fonts.mono, color: BLACK });
    }
  }

  rule(): void {
    this.ensure(14);
    this.y -= 4;
    this.page.drawRectangle({ x: MARGIN, y: this.y, width: A4[0] - 2 * MARGIN, height: 2, color: BLUE });
    this.y -= 8;
  }
}

/** Lines of at most `width` points, cut between words (a word longer than a line is cut where it must). */
function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const fits = (t: string) => font.widthOfTextAtSize(t, size) <= width;
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (fits(candidate)) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    while (!fits(word)) {
      let cut = word.length - 1;
      while (cut > 1 && !fits(word.slice(0, cut))) cut--;
      lines.push(word.slice(0, cut));
      word = word.slice(cut);
    }
    line = word;
  }
  if (line) lines.push(line);
  return lines;
}

/** The QR code of the token, as dark squares, `side` points wide, its top-left corner at (x, top). */
export function drawQr(page: PDFPage, token: string, x: number, top: number, side: number): void {
  const { modules } = QRCode.create(token, { errorCorrectionLevel: 'M' });
  const quiet = 2;
  const cell = side / (modules.size + 2 * quiet);
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++) {
      if (modules.get(row, col)) {
        page.drawRectangle({
          x: x + (col + quiet) * cell,
          y: top - (row + quiet + 1) * cell,
          width: cell,
          height: cell,
          color: rgb(0, 0, 0),
        });
      }
    }
  }
}

export async function renderAttestationPdf(doc: AttestationDocument): Promise<Uint8Array> {
  const text = attestationText(doc);
  const pdf = await PDFDocument.create();
  const issuedAt = new Date(doc.facts.issuedAt);
  pdf.setTitle(toWinAnsi(`${text.fr.title} ${doc.facts.reference}`), { showInWindowTitleBar: true });
  pdf.setSubject(`${text.en.title} ${doc.facts.reference}`);
  pdf.setAuthor(toWinAnsi(doc.prefectureName));
  pdf.setCreator('Créneau');
  pdf.setProducer('Créneau (pdf-lib)');
  pdf.setLanguage('fr-FR');
  pdf.setKeywords([`reference:${doc.facts.reference}`, `token:${doc.token}`]);
  pdf.setCreationDate(issuedAt);
  pdf.setModificationDate(issuedAt);

  const fonts = {
    regular: await pdf.embedFont(StandardFonts.Helvetica),
    bold: await pdf.embedFont(StandardFonts.HelveticaBold),
    mono: await pdf.embedFont(StandardFonts.Courier),
  };
  const w = new Writer(pdf, fonts);

  w.paragraph(doc.prefectureName, { size: 11, bold: true, after: 2 });
  w.paragraph(text.fr.title, { size: 18, bold: true, color: BLUE, after: 0 });
  w.paragraph(text.en.title, { size: 12, color: GREY, after: 2 });
  w.rule();

  w.paragraph(text.fr.statement, { size: 10.5 });
  w.paragraph(text.fr.status, { size: 10.5, bold: true, after: 10 });
  w.fields(text.fr.fields);

  w.paragraph(text.en.statement, { size: 9.5, color: GREY });
  w.paragraph(text.en.status, { size: 9.5, bold: true, color: GREY, after: 10 });
  w.fields(text.en.fields, 8.5);

  w.rule();
  w.paragraph('Vérification / Verification', { size: 12, bold: true, after: 4 });
  // The QR code on the left; beside it, how to verify, and the token as printed.
  const qrSide = 130;
  const column = MARGIN + qrSide + 14;
  w.ensure(qrSide + 10);
  const top = w.y;
  drawQr(w.page, doc.token, MARGIN, top, qrSide);
  w.paragraph(text.fr.verify, { size: 8.5, x: column });
  w.paragraph(text.en.verify, { size: 8, x: column, color: GREY, after: 2 });
  w.mono(tokenLines(doc.token), column);
  w.y = Math.min(w.y, top - qrSide) - 10;
  w.paragraph(
    "Document établi par Créneau, service de rendez-vous des étrangers. Issued by Créneau, the foreigners' appointment service.",
    { size: 8, color: GREY },
  );

  return pdf.save();
}
