// The day's head of the evidence chain, to an outside address that keeps it.
import type { MailMessage } from '../../../ports/mailer.ts';
import type { OutboxPayloads } from '../../../ports/outbox.ts';
import { composeMail } from './compose.ts';
import { emailText, type RenderContext } from './format.ts';

export function evidenceHeadMessage(p: OutboxPayloads['evidence-head'], ctx: RenderContext): MailMessage {
  const t = emailText(ctx.language);
  const values = { day: p.day, takenAt: p.takenAt, seq: p.seq, hash: p.hash };
  return composeMail({
    to: ctx.to,
    language: ctx.language,
    messageId: ctx.messageId,
    subject: t('evidenceHead.subject', values),
    blocks: [
      { p: t('evidenceHead.intro', values) },
      { lines: [t('evidenceHead.point', values)] },
      { p: t('evidenceHead.keep') },
      { p: t('evidenceHead.verify', values) },
      { p: t('signature') },
    ],
  });
}
