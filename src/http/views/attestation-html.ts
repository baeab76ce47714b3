// The attestation as a printable HTML page: one standalone document, French first with the
// English text beside it (lang="en" on each English part, so screen readers switch voice),
// no script, no external resource (styles inline, the QR code as inline SVG), headings and
// lists in reading order, contrast above 7:1, sizes in rem so the text zooms (RGAA 4.1).
import QRCode from 'qrcode';
import { type AttestationSubject, attestationText } from '../../domain/attestation.ts';
import { escapeHtml } from './escape-html.ts';

export interface AttestationDocument extends AttestationSubject {
  token: string;
}

/** The token cut into lines of 64 characters, so it prints and copies cleanly (verification ignores line breaks). */
export function tokenLines(token: string, width = 64): string[] {
  const lines: string[] = [];
  for (let i = 0; i < token.length; i += width) lines.push(token.slice(i, i + width));
  return lines;
}

/** A Content-Security-Policy that lets this page load nothing at all. */
export const ATTESTATION_HTML_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const STYLE = `
  :root { color: #161616; background: #fff; font-family: Marianne, Arial, Helvetica, sans-serif; line-height: 1.5; }
  body { margin: 0; }
  main { max-width: 48rem; margin: 0 auto; padding: 2rem 1.5rem; }
  header { border-bottom: 0.25rem solid #000091; margin-bottom: 1.5rem; }
  .issuer { font-weight: 700; margin: 0; }
  h1 { font-size: 1.75rem; margin: 0.5rem 0 1rem; }
  h1 .en, h2 .en { display: block; font-size: 0.8em; font-weight: 400; color: #3a3a3a; }
  h2 { font-size: 1.25rem; margin: 1.5rem 0 0.5rem; }
  .columns { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0; }
  dt { font-weight: 700; }
  dd { margin: 0; }
  .en-text { color: #3a3a3a; }
  .verification { display: grid; grid-template-columns: 10rem 1fr; gap: 1.5rem; align-items: start; margin-top: 1rem; }
  .qr svg { width: 10rem; height: 10rem; }
  .token { font-family: "Courier New", Courier, monospace; font-size: 0.8rem; word-break: break-all; white-space: pre-wrap; margin: 0; }
  footer { margin-top: 2rem; font-size: 0.875rem; color: #3a3a3a; }
  @media (max-width: 40rem) { .columns, .verification { grid-template-columns: 1fr; } }
  @media print {
    main { max-width: none; padding: 0; }
    @page { size: A4; margin: 18mm; }
    a { color: inherit; text-decoration: none; }
  }
`;

export async function renderAttestationHtml(doc: AttestationDocument): Promise<string> {
  const text = attestationText(doc);
  const qr = (await QRCode.toString(doc.token, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })).replace(
    '<svg ',
    '<svg role="img" aria-label="Code QR du jeton de vérification (Verification token QR code)" focusable="false" ',
  );
  const fields = (pairs: [string, string][]) =>
    pairs.map(([label, value]) => `<dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd>`).join('\n        ');
  return `<!doctype html>
<html lang="fr">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(`${text.fr.title} ${doc.facts.reference}`)}</title>
  <style>${STYLE}</style>
</head>
<body>
  <main>
    <header>
      <p class="issuer">${escapeHtml(doc.prefectureName)}</p>
      <h1>${escapeHtml(text.fr.title)} <span class="en" lang="en">${escapeHtml(text.en.title)}</span></h1>
    </header>
    <div class="columns">
      <section aria-labelledby="statement-fr">
        <h2 id="statement-fr">Déclaration</h2>
        <p>${escapeHtml(text.fr.statement)}</p>
        <p><strong>${escapeHtml(text.fr.status)}</strong></p>
      </section>
      <section aria-labelledby="statement-en" lang="en" class="en-text">
        <h2 id="statement-en">Statement</h2>
        <p>${escapeHtml(text.en.statement)}</p>
        <p><strong>${escapeHtml(text.en.status)}</strong></p>
      </section>
    </div>
    <div class="columns">
      <section aria-labelledby="facts-fr">
        <h2 id="facts-fr">Informations attestées</h2>
        <dl>
        ${fields(text.fr.fields)}
        </dl>
      </section>
      <section aria-labelledby="facts-en" lang="en" class="en-text">
        <h2 id="facts-en">Attested facts</h2>
        <dl>
        ${fields(text.en.fields)}
        </dl>
      </section>
    </div>
    <section aria-labelledby="verification">
      <h2 id="verification">Vérification <span class="en" lang="en">Verification</span></h2>
      <p>${escapeHtml(text.fr.verify)}</p>
      <p lang="en" class="en-text">${escapeHtml(text.en.verify)}</p>
      <div class="verification">
        <div class="qr">${qr}</div>
        <div>
          <h3>Jeton <span lang="en">(token)</span></h3>
          <p class="token">${tokenLines(doc.token).map(escapeHtml).join('\n')}</p>
        </div>
      </div>
    </section>
    <footer>
      <p>Document établi par Créneau, service de rendez-vous des étrangers. <span lang="en">Issued by Créneau, the foreigners' appointment service.</span></p>
    </footer>
  </main>
</body>
</html>
`;
}
