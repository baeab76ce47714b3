export interface MailAttachment {
  filename: string;
  content: string | Buffer;
  contentType: string;
  /** Content-ID of an inline part the HTML shows (<img src="cid:…">), without angle brackets. */
  cid?: string;
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  attachments?: MailAttachment[];
  /**
   * The Message-ID header, with its angle brackets: "<outbox.6f1c…@creneau>". Outbox messages
   * carry one derived from their row, the same at every attempt, so a message sent twice (see
   * domain/outbox-rules.ts) is recognisably the same message. Without it the transport makes one.
   */
  messageId?: string;
}

/** Sends one message; rejects when the message could not be handed over. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}
