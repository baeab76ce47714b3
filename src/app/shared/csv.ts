// CSV for spreadsheets (RFC 4180 shape): UTF-8 with a BOM (so Excel reads the accents), CRLF
// line ends, a cell quoted when it holds a quote, the separator or a line break. Formula
// injection: a text cell starting with = + - @ (or a tab / carriage return) is prefixed with a
// quote, so '=HYPERLINK(…)' stays text. French spreadsheets expect a semicolon between cells
// and a decimal comma (issue 15, Agents 9): the dialect follows the page's language.
//   fr: 0.15 → "0,15", cells joined by ";"      en: 0.15 → "0.15", cells joined by ","
import type { Language } from '../../domain/language.ts';

export interface CsvDialect {
  separator: ',' | ';';
  decimal: '.' | ',';
}

export const csvDialectOf = (language: Language): CsvDialect =>
  language === 'fr' ? { separator: ';', decimal: ',' } : { separator: ',', decimal: '.' };

const ENGLISH: CsvDialect = { separator: ',', decimal: '.' };

export function csvCell(value: unknown, dialect: CsvDialect = ENGLISH): string {
  // Numbers are numbers to the spreadsheet: no formula defusing, the dialect's decimal mark.
  if (typeof value === 'number') return String(value).replace('.', dialect.decimal);
  let text =
    value === null || value === undefined
      ? ''
      : typeof value === 'string'
        ? value
        : value instanceof Date
          ? value.toISOString()
          : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",;\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A whole document: the header, then one line per row, with the BOM and CRLFs. */
export function csvDocument(header: readonly string[], rows: readonly unknown[][], dialect: CsvDialect): string {
  const line = (cells: readonly unknown[]) => cells.map((c) => csvCell(c, dialect)).join(dialect.separator);
  return `\uFEFF${[line(header), ...rows.map(line)].join('\r\n')}\r\n`;
}
