// Text messages: the sender (an HTTP gateway, or files in development) and the guard that
// keeps the opt-outs and the per-number daily limit (migration 0019).

export interface SmsMessage {
  /** In E.164: "+33612345678", "+221771234567" (domain/sms-rules.ts internationalNumber). */
  to: string;
  text: string;
  /** The outbox row's id: the same at every attempt (the file sender overwrites one file). */
  id?: string;
}

/** What the gateway said: taken (2xx), or refused for good (4xx: a bad number, say). A transient trouble (5xx, timeout, network) throws instead, and the message is retried. */
export type SmsOutcome = { status: 'sent' } | { status: 'rejected'; reason: string };

export interface SmsSender {
  send(message: SmsMessage): Promise<SmsOutcome>;
}

export interface SmsGuard {
  /** Records a STOP (idempotent). `phoneKey`: the number's keyed digest, never the number. */
  optOut(phoneKey: string, now: Date): Promise<void>;
  /** Records a START: the number may be sent messages again; true if it had opted out. */
  optIn(phoneKey: string): Promise<boolean>;
  isOptedOut(phoneKey: string): Promise<boolean>;
  /**
   * Counts one message to this number on `day` (YYYY-MM-DD); false, and nothing counted, when
   * that would pass `cap` (the database's CHECK decides, whatever runs concurrently).
   */
  countSend(phoneKey: string, day: string, cap: number): Promise<boolean>;
}
