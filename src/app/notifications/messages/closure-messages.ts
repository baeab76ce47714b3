// The message to an applicant whose appointment a closure cancelled: why, and the way back —
// a link to book again (direct booking), their request back in the queue with priority (draw),
// a request filed for them at the head of the queue (they had none), or the link to file one. Its texts are in the agent-config namespace (closureEmail.*),
// with the configuration that sends it; dates and the letter's frame are the email namespace's.

import { translator } from '../../../i18n/i18n.ts';
import type { MailMessage } from '../../../ports/mailer.ts';
import type { OutboxPayloads } from '../../../ports/outbox.ts';
import type { Block } from './compose.ts';
import { emailText, findUrl, letterTo, localDateTime, manageUrl, nameIn, type RenderContext } from './format.ts';

const absolute = (publicUrl: string, path: string) => `${publicUrl.replace(/\/+$/, '')}${path}`;

export function appointmentClosedMessage(p: OutboxPayloads['appointment-closed'], ctx: RenderContext): MailMessage {
  const t = emailText(ctx.language);
  const c = translator(ctx.language, 'agent-config');
  const a = p.appointment;
  const wayBack: Block[] =
    p.wayBack.kind === 'rebook'
      ? [
          { p: c('closureEmail.rebook') },
          { link: absolute(ctx.publicUrl, p.wayBack.path), label: c('closureEmail.rebookLabel') },
        ]
      : p.wayBack.kind === 'requeued'
        ? [
            { p: c('closureEmail.requeued', { requestReference: p.wayBack.requestReference }) },
            { link: findUrl(ctx.publicUrl, p.wayBack.requestReference), label: t('manage.requestLabel') },
          ]
        : p.wayBack.kind === 'filed'
          ? [
              { p: c('closureEmail.filed', { requestReference: p.wayBack.requestReference }) },
              ...(p.managementToken
                ? [{ link: manageUrl(ctx.publicUrl, p.managementToken), label: c('closureEmail.filedLabel') }]
                : []),
            ]
          : [
              { p: c('closureEmail.request') },
              { link: absolute(ctx.publicUrl, p.wayBack.path), label: c('closureEmail.requestLabel') },
            ];
  return letterTo(t, ctx, a, {
    subject: c('closureEmail.subject', { reference: a.reference }),
    blocks: [
      { p: c('closureEmail.intro', { when: localDateTime(t, a.startsAt, a.timeZone), reference: a.reference }) },
      { lines: [`${a.siteName}, ${a.siteAddress}`, nameIn(a.procedureName, ctx.language)] },
      { p: c('closureEmail.reason', { reason: p.reason }) },
      ...wayBack,
      { p: c('closureEmail.sorry') },
    ],
  });
}
