// The convocation as a one-page A4 PDF (pdf-lib), in the page's language: the State's block
// (the tricolour bar, "République française" and the motto) with the prefecture's heading, then
// the person, the appointment, the QR code with its short code, and what to bring — the same
// facts as the printable page (/manage/convocation).
//
// Fonts: the State's typeface, Marianne, embedded as subsets through fontkit (the DSFR's WOFF2
// files: fontkit cannot read its WOFF ones, "blend operator not supported in CFF v1"), which
// writes names in Latin Extended as they are ("ı", "ş", "ő", "ł"…); codes in Courier (ASCII).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from 'pdf-lib';
import { A4, BLUE, drawQr, GREY, MARGIN, Writer } from './attestation-pdf.ts';

const fontsDir = `${createRequire(import.meta.url)
  .resolve('@gouvfr/dsfr/package.json')
  .replace(/package\.json$/, '')}dist/fonts/`;
/** Read once: the files are the same for every letter. */
const MARIANNE = {
  regular: readFileSync(`${fontsDir}Marianne-Regular.woff2`),
  bold: readFileSync(`${fontsDir}Marianne-Bold.woff2`),
  italic: readFileSync(`${fontsDir}Marianne-Regular_Italic.woff2`),
};

export interface ConvocationDocument {
  language: 'fr' | 'en';
  /** Words of the page's language (the manage namespace's convocation texts, already translated). */
  text: {
    title: string;
    republic: [string, string];
    motto: [string, string, string];
    service: string;
    fields: [string, string][];
    shortCodeLabel: string;
    bringTitle: string;
    bring: string[];
  };
  prefectureName: string;
  reference: string;
  token: string;
  shortCode: string;
}

const RED = rgb(225 / 255, 0, 15 / 255);
const WHITE = rgb(1, 1, 1);

/** The State's block, top left: tricolour bar, "RÉPUBLIQUE / FRANÇAISE", the motto in italics. */
function drawStateBlock(page: PDFPage, doc: ConvocationDocument, fonts: { bold: PDFFont; italic: PDFFont }): number {
  const top = A4[1] - MARGIN;
  const bar = [BLUE, WHITE, RED];
  bar.forEach((color, i) => {
    page.drawRectangle({ x: MARGIN + i * 14, y: top - 10, width: 14, height: 10, color });
  });
  page.drawRectangle({ x: MARGIN, y: top - 10, width: 42, height: 10, borderColor: GREY, borderWidth: 0.3 });
  let y = top - 26;
  for (const line of doc.text.republic) {
    page.drawText(line, { x: MARGIN, y, size: 11, font: fonts.bold });
    y -= 13;
  }
  y -= 2;
  for (const line of doc.text.motto) {
    page.drawText(line, { x: MARGIN, y, size: 8, font: fonts.italic });
    y -= 9.5;
  }
  return y;
}

export async function renderConvocationPdf(doc: ConvocationDocument): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(`${doc.text.title} ${doc.reference}`, { showInWindowTitleBar: true });
  pdf.setAuthor(doc.prefectureName);
  pdf.setCreator('Créneau');
  pdf.setProducer('Créneau (pdf-lib)');
  pdf.setLanguage(doc.language === 'fr' ? 'fr-FR' : 'en-GB');
  pdf.setKeywords([`reference:${doc.reference}`]);
  pdf.registerFontkit(fontkit);
  const fonts = {
    regular: await pdf.embedFont(MARIANNE.regular, { subset: true }),
    bold: await pdf.embedFont(MARIANNE.bold, { subset: true }),
    italic: await pdf.embedFont(MARIANNE.italic, { subset: true }),
    mono: await pdf.embedFont(StandardFonts.Courier),
  };
  const w = new Writer(pdf, fonts, (text) => text);
  const below = drawStateBlock(w.page, doc, fonts);

  // The prefecture's heading, right of the State's block.
  const x = MARGIN + 170;
  w.y = A4[1] - MARGIN - 2;
  w.paragraph(doc.prefectureName, { size: 12, bold: true, x, after: 1 });
  w.paragraph(doc.text.service, { size: 10, x, color: GREY });
  w.y = Math.min(w.y, below) - 18;

  w.paragraph(doc.text.title, { size: 20, bold: true, color: BLUE, after: 2 });
  w.rule();
  w.fields(doc.text.fields, 10.5);

  const side = 150;
  w.ensure(side + 40);
  drawQr(w.page, doc.token, MARGIN, w.y, side);
  const qrTop = w.y;
  w.y = qrTop - 20;
  w.paragraph(doc.text.shortCodeLabel, { x: MARGIN + side + 20, size: 10 });
  w.paragraph(doc.shortCode, { x: MARGIN + side + 20, size: 22, bold: true });
  w.y = qrTop - side - 16;

  w.paragraph(doc.text.bringTitle, { size: 12, bold: true, color: BLUE });
  for (const line of doc.text.bring) w.paragraph(line, { size: 10.5 });
  return pdf.save();
}
