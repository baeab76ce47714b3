// Sends mail through an SMTP relay (SMTP_URL, e.g. smtp://user:pass@relay:587 or smtps://…:465).
import nodemailer from 'nodemailer';
import type { Mailer, MailMessage } from '../../ports/mailer.ts';

export interface SmtpMailerOptions {
  smtpUrl: string;
  /** "Créneau <ne-pas-repondre@…>" */
  from: string;
}

/** The message as nodemailer takes it (shared with the outbox mailer, which builds the same MIME). */
export function toNodemailerMessage(from: string, message: MailMessage): nodemailer.SendMailOptions {
  return {
    from,
    to: message.to,
    subject: message.subject,
    text: message.text,
    ...(message.html ? { html: message.html } : {}),
    ...(message.messageId ? { messageId: message.messageId } : {}),
    ...(message.attachments?.length
      ? {
          attachments: message.attachments.map((a) => ({
            filename: a.filename,
            content: a.content,
            contentType: a.contentType,
            ...(a.cid ? { cid: a.cid, contentDisposition: 'inline' as const } : {}),
          })),
        }
      : {}),
  };
}

export function createSmtpMailer(options: SmtpMailerOptions): Mailer & { close(): void } {
  // Short timeouts: a person waits for this answer. URL parameters still win over them.
  // Pooled: connections are reused, so a burst of confirmations does not pay a TCP and SMTP
  // handshake (and TLS) per message.
  const transport = nodemailer.createTransport({
    url: options.smtpUrl,
    pool: true,
    maxConnections: 5,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    async send(message) {
      await transport.sendMail(toNodemailerMessage(options.from, message));
    },
    close: () => transport.close(),
  };
}
