// After the way back in (app/access/open-with-access-code.ts): the new personal link, since
// the one of the first message stopped working when this device was let in.
import type { MailMessage } from '../../../ports/mailer.ts';
import type { OutboxPayloads } from '../../../ports/outbox.ts';
import { emailText, letterTo, manageUrl, type RenderContext } from './format.ts';

export function wayBackInMessage(p: OutboxPayloads['way-back-in'], ctx: RenderContext): MailMessage {
  const t = emailText(ctx.language);
  const kind = p.target;
  return letterTo(t, ctx, p, {
    subject: t(`wayBackIn.subject.${kind}`, { reference: p.reference }),
    blocks: [
      { p: t(`wayBackIn.opened.${kind}`, { reference: p.reference }) },
      ...(p.managementToken
        ? [
            { p: t('wayBackIn.newLink') },
            {
              link: manageUrl(ctx.publicUrl, p.managementToken),
              label: t(kind === 'appointment' ? 'manage.appointmentLabel' : 'manage.requestLabel'),
            },
          ]
        : []),
      { p: t('wayBackIn.notYou') },
    ],
  });
}
