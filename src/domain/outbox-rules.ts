// When outbox messages are delivered, retried and given up, and how a message is named.
//
// Delivery is at least once with an idempotent Message-ID, never exactly once: SMTP has no
// way to make "the relay accepted the message" and "we recorded it as sent" one atomic step.
// If a process dies between the two, the message is sent again after its lease runs out —
// with the same Message-ID, which mail systems and clients use to recognise a duplicate.
// Everything else (two instances, retries, restarts) sends each message once: a row is
// claimed by one worker at a time, and only the holder of the current claim can mark it sent.

/** Attempts before a message is given up (status 'failed'): with the delays below, about two hours. */
export const MAX_DELIVERY_ATTEMPTS = 8;

/** First retry delay, doubled at each failure, capped. */
export const RETRY_BASE_MS = 30_000;
export const RETRY_CAP_MS = 60 * 60_000;

/**
 * A claimed message belongs to its worker this long; after that another worker may claim it
 * (the first one died). Short, so a dead instance's messages go out about a minute late, not
 * ten; a live worker renews the lease of what it still holds (leaseRenewalIntervalMs), so a
 * slow SMTP send (its timeouts add up to under a minute) keeps its message.
 */
export const CLAIM_LEASE_MS = 60_000;

/**
 * How often a live worker renews its claims: a third of the lease, so two renewals can fail
 * (a database blip) before the lease runs out. Example: every 20 s for the 60 s lease.
 */
export function leaseRenewalIntervalMs(leaseMs: number): number {
  return Math.max(1, Math.floor(leaseMs / 3));
}

/**
 * A worker does not start a send with less than this left on its lease (it leaves the message
 * to the next claim): a third of the lease, 20 s of the 60 s default. Renewals keep at least
 * two thirds ahead, so only a worker that cannot reach the database defers.
 */
export function leaseSafetyMs(leaseMs: number): number {
  return Math.floor(leaseMs / 3);
}

/**
 * Once the relay has accepted a message, recording it as sent is retried after these delays
 * (about 10 s in all, while the lease holds) when the database does not answer: otherwise the
 * message would go a second time after its lease, through a database restart of a second.
 */
export const RECORD_SENT_RETRY_DELAYS_MS: readonly number[] = [250, 500, 1_000, 2_000, 2_000, 2_000, 2_000];

/** The reminder goes this long before the appointment. */
export const REMINDER_LEAD_MS = 48 * 3_600_000;

/** Delivered, cancelled and failed messages (they hold names and addresses) are deleted after this long. */
export const OUTBOX_RETENTION_MS = 30 * 24 * 3_600_000;

/**
 * How long to wait before the next attempt, after `attempts` attempts (1-based):
 * 30 s, 1 min, 2 min, 4 min … capped at 1 h. Example: retryDelayMs(3) = 120 000.
 */
export function retryDelayMs(attempts: number): number {
  const exponent = Math.max(0, attempts - 1);
  return Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.min(exponent, 30));
}

/** After a failed attempt: when to try again, or null to give up. */
export function nextAttemptAfterFailure(attempts: number, now: Date, maxAttempts = MAX_DELIVERY_ATTEMPTS): Date | null {
  if (attempts >= maxAttempts) return null;
  return new Date(now.getTime() + retryDelayMs(attempts));
}

/**
 * When the reminder of an appointment starting at `startsAt` is due: 48 h before; null when
 * that moment has already passed at `now` (booked less than two days ahead: the confirmation
 * that goes now is the reminder).
 */
export function reminderDueAt(startsAt: Date, now: Date): Date | null {
  const due = new Date(startsAt.getTime() - REMINDER_LEAD_MS);
  return due.getTime() > now.getTime() ? due : null;
}

/**
 * The Message-ID of an outbox row: derived from the row's id (a UUID, unique across
 * databases and instances), so every attempt to send one row carries the same Message-ID.
 * Example: "<outbox.6f1c2a4e-…@creneau>".
 */
export function outboxMessageId(outboxId: string): string {
  return `<outbox.${outboxId}@creneau>`;
}
