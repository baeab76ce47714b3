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

/**
 * The settings the relay is used with, unless SMTP_URL's own query says otherwise:
 *   * pooled: connections are reused, so a burst of messages (a draw's offers) does not pay a
 *     TCP and SMTP handshake (and TLS) per message;
 *   * short timeouts: a person waits for some of these messages.
 * They go into the URL's query because nodemailer reads its settings from the URL alone when it
 * is given one: options passed beside `url` were dropped, and every message opened its own
 * connection (20 messages, 20 connections in test/adapters/mailers.test.ts).
 */
const RELAY_SETTINGS: Record<string, string> = {
  pool: 'true',
  maxConnections: '5',
  connectionTimeout: '10000',
  greetingTimeout: '10000',
  socketTimeout: '30000',
};

/** SMTP_URL with RELAY_SETTINGS added to its query, where it does not set them itself. */
export function relayUrl(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  for (const [name, value] of Object.entries(RELAY_SETTINGS))
    if (!url.searchParams.has(name)) url.searchParams.set(name, value);
  return url.toString();
}

export function createSmtpMailer(options: SmtpMailerOptions): Mailer & { close(): void } {
  const transport = nodemailer.createTransport(relayUrl(options.smtpUrl));
  return {
    async send(message) {
      await transport.sendMail(toNodemailerMessage(options.from, message));
    },
    close: () => transport.close(),
  };
}
