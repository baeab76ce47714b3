// One message, two parts: the builders describe a message as blocks, and this turns them into
// the plain-text part and the HTML part, which then always say the same thing. The HTML is
// deliberately plain (no external resource, no tracking, readable without styles); every
// text is escaped here, once.
import type { Language } from '../../../domain/language.ts';
import type { MailAttachment, MailMessage } from '../../../ports/mailer.ts';

export type Block =
  /** A paragraph. */
  | { p: string }
  /** Lines kept together, indented in text (where and when). */
  | { lines: string[] }
  | { list: string[] }
  /** A link, its address shown in full in the text part. */
  | { link: string; label: string }
  /** An inline image (an attachment with this Content-ID). */
  | { image: string; alt: string; width: number };

export interface ComposedMail {
  to: string;
  language: Language;
  subject: string;
  blocks: Block[];
  attachments?: MailAttachment[];
  messageId?: string;
}

const escapeHtml = (text: string): string =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

function toText(block: Block): string | null {
  if ('p' in block) return block.p;
  if ('lines' in block) return block.lines.map((l) => `  ${l}`).join('\n');
  if ('list' in block) return block.list.map((item) => `  - ${item}`).join('\n');
  if ('link' in block) return `${block.label}\n  ${block.link}`;
  return null; // an image says nothing in plain text; its caption is a paragraph of its own
}

function toHtml(block: Block): string {
  if ('p' in block) return `<p>${escapeHtml(block.p)}</p>`;
  if ('lines' in block)
    return `<p style="margin-left:1em"><strong>${block.lines.map(escapeHtml).join('<br>')}</strong></p>`;
  if ('list' in block) return `<ul>${block.list.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`;
  if ('link' in block) return `<p><a href="${escapeHtml(block.link)}">${escapeHtml(block.label)}</a></p>`;
  return `<p><img src="cid:${escapeHtml(block.image)}" alt="${escapeHtml(block.alt)}" width="${block.width}" height="${block.width}"></p>`;
}

export function composeMail(mail: ComposedMail): MailMessage {
  const text = mail.blocks
    .map(toText)
    .filter((t): t is string => t !== null)
    .join('\n\n');
  const html = [
    '<!doctype html>',
    `<html lang="${mail.language}"><head><meta charset="utf-8"><title>${escapeHtml(mail.subject)}</title></head>`,
    '<body style="font-family:Marianne,Arial,sans-serif;line-height:1.5;max-width:40em">',
    ...mail.blocks.map(toHtml),
    '</body></html>',
  ].join('\n');
  return {
    to: mail.to,
    subject: mail.subject,
    text: `${text}\n`,
    html,
    ...(mail.attachments?.length ? { attachments: mail.attachments } : {}),
    ...(mail.messageId ? { messageId: mail.messageId } : {}),
  };
}
