// Turns a claimed outbox email into the message that goes out: templates in the recipient's
// language, the calendar event, the convocation's QR code. CPU work and no I/O, so it can run
// on a thread of its own (adapters/mail/render-thread.ts) beside a process that answers requests.
import type { MailMessage } from './mailer.ts';
import type { ClaimedMessage } from './outbox.ts';

/** What every message needs besides its row: plain data, so that a render thread gets it at its start. */
export interface EmailSettings {
  /** The base of every link in the messages (PUBLIC_URL). */
  publicUrl: string;
  /** The calendar events' organiser: the sender. */
  organizer: { name: string; email: string };
}

export interface EmailRenderer {
  /** `convocationToken`: the signed convocation the message shows, signed by the caller (the key stays in its thread); null when it shows none. */
  render(message: ClaimedMessage, convocationToken: string | null): Promise<MailMessage>;
}
