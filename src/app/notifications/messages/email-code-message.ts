// The one-time code that proves an email address, in the language of the page that asked
// for it. Sent directly, not through the outbox: the applicant is waiting for it, and nothing
// is committed that it would announce.

import type { Language } from '../../../domain/language.ts';
import { type EmailCodePurpose, formatCode } from '../../../domain/one-time-code.ts';
import type { MailMessage } from '../../../ports/mailer.ts';
import { composeMail } from './compose.ts';
import { emailText } from './format.ts';

export interface EmailCodeMessage {
  to: string;
  code: string;
  purpose: EmailCodePurpose;
  ttlMinutes: number;
  maxAttempts: number;
  language: Language;
}

export function emailCodeMessage(m: EmailCodeMessage): MailMessage {
  const t = emailText(m.language);
  const shown = formatCode(m.code);
  return composeMail({
    to: m.to,
    language: m.language,
    subject: t('emailCode.subject', { code: shown }),
    blocks: [
      { p: t('greetingAnonymous') },
      { p: t('emailCode.code', { code: shown }) },
      { p: t(`emailCode.purpose.${m.purpose}`) },
      { p: t('emailCode.validity', { count: m.ttlMinutes, attempts: m.maxAttempts }) },
      { p: t('emailCode.notYou') },
      { p: t('emailCode.neverShare') },
      { p: t('signature') },
    ],
  });
}
