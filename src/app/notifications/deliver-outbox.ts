// Delivers the outbox: claims the messages that are due, renders each in its recipient's
// language, hands it to the mailer, and records the outcome.
//
// What "never lost or doubled" means here, honestly: SMTP cannot give exactly-once. A relay
// may accept a message and the process die before the row is marked sent; after the lease
// runs out another worker claims the row and sends it again. So delivery is at least once,
// with an idempotent Message-ID (the same for every attempt at one row: mail systems and
// clients recognise the second copy as the same message, and the .eml mailer overwrites the
// same file), and at most one successful marking per row. Outside that one window:
//   * never lost: the row is written in the transaction of the event it announces, and stays
//     pending until marked sent; a dead worker's claims come back when their lease ends (a
//     minute: domain/outbox-rules.ts);
//   * never doubled: concurrent workers (several instances) claim disjoint rows
//     (FOR UPDATE SKIP LOCKED), a live worker renews the lease of what it still holds every
//     third of it, a worker does not start a send near the end of its lease, and only the
//     current claim can mark a row.
// A failed send is retried with exponential backoff (domain/outbox-rules.ts), then given up
// as 'failed' with its last error, which the caller logs.
//
// Text messages (channel 'sms', migration 0019) go through the same claims, leases and
// retries, to the SMS sender instead of the mailer. Before each attempt: a number that
// answered STOP is sent nothing (given up at once: SMS_OPTED_OUT), and the attempt is counted
// against the number's daily limit in the database (past it: given up, SMS_DAILY_LIMIT; every
// attempt handed to the gateway counts, so a failing gateway cannot be used to pass the limit
// either). A 4xx from the gateway gives up (SMS_REJECTED); a 5xx or a timeout is retried.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CLAIM_LEASE_MS,
  leaseRenewalIntervalMs,
  leaseSafetyMs,
  MAX_DELIVERY_ATTEMPTS,
  nextAttemptAfterFailure,
  RECORD_SENT_RETRY_DELAYS_MS,
} from '../../domain/outbox-rules.ts';
import { internationalNumber, smsDay, smsPhoneMaterial } from '../../domain/sms-rules.ts';
import type { Clock } from '../../ports/clock.ts';
import type { ConvocationSigner } from '../../ports/convocation-signer.ts';
import type { EmailRenderer, EmailSettings } from '../../ports/email-renderer.ts';
import type { Mailer, MailMessage } from '../../ports/mailer.ts';
import type { ClaimedMessage, OutboxStore } from '../../ports/outbox.ts';
import type { Hasher } from '../../ports/secrets.ts';
import type { SmsGuard, SmsSender } from '../../ports/sms.ts';
import { convocationToken } from '../convocations/issue-convocation.ts';
import { type PeriodicJob, startPeriodicJob } from '../shared/periodic-job.ts';
import { convocationAppointmentOf } from './messages/render.ts';
import { renderSmsText } from './messages/sms-messages.ts';
import { renderInThisThread } from './render-email.ts';

export interface DeliveryPolicy {
  /** Messages claimed at once (one lease for all: keep it small enough to send well within the lease). */
  batchSize: number;
  /** Sends in flight at once. */
  concurrency: number;
  leaseMs: number;
  maxAttempts: number;
  /** Batches in one run at most; the next run goes on. */
  maxBatches: number;
}

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  batchSize: 20,
  concurrency: 4,
  leaseMs: CLAIM_LEASE_MS,
  maxAttempts: MAX_DELIVERY_ATTEMPTS,
  maxBatches: 50,
};

export interface DeliveryContext extends EmailSettings {
  outbox: OutboxStore;
  mailer: Mailer;
  clock: Clock;
  /** Signs the convocations that confirmations and reminders show. */
  signer: ConvocationSigner;
  /** Where emails are rendered: a thread of their own beside a process that answers requests; without it, this thread. */
  renderer?: EmailRenderer;
  policy?: Partial<DeliveryPolicy>;
  /** Text messages; without it, a claimed text message is given up (SMS_NOT_CONFIGURED). */
  sms?: SmsDelivery;
}

export interface SmsDelivery {
  sender: SmsSender;
  guard: SmsGuard;
  /** Keys a number for the opt-outs and the daily counter (never stored in clear there). */
  hasher: Pick<Hasher, 'identityKey'>;
  /** Text messages to one number in one day at most (SMS_DAILY_LIMIT). */
  dailyLimit: number;
}

export interface DeliveryFailure {
  id: string;
  kind: ClaimedMessage['kind'];
  attempts: number;
  error: string;
  /** When it is tried again; null: given up (status 'failed'). */
  retryAt: Date | null;
}

export interface DeliveryReport {
  claimed: number;
  sent: number;
  failures: DeliveryFailure[];
  /** Sent, but the claim was gone when marking: taken over after the lease ran out (the one case of a second copy, with the same Message-ID), or the message cancelled meanwhile. */
  lostClaims: number;
  /** Left for the next claim: too little of the lease was left to start the send. */
  deferred: number;
  /** Claimed but not tried because the worker is stopping: given back at once for another worker. */
  released: number;
}

const describeError = (error: unknown): string =>
  (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 1000);

/** The signed convocation a claimed message shows, signed now (here: the key never leaves this thread); null when it shows none. */
function convocationTokenOf(signer: ConvocationSigner, message: ClaimedMessage): string | null {
  const subject = convocationAppointmentOf(message);
  if (!subject) return null;
  return convocationToken(signer, {
    id: subject.appointmentId,
    reference: subject.reference,
    endsAt: new Date(subject.endsAt),
    timeZone: subject.timeZone,
  }).token;
}

/** The message as it goes out: rendered now from the row's snapshot, with the convocation signed now when it shows one. */
export function renderClaimed(ctx: DeliveryContext, message: ClaimedMessage): Promise<MailMessage> {
  return (ctx.renderer ?? renderInThisThread(ctx)).render(message, convocationTokenOf(ctx.signer, message));
}

async function deliverOne(
  ctx: DeliveryContext,
  policy: DeliveryPolicy,
  message: ClaimedMessage,
  report: DeliveryReport,
): Promise<void> {
  if (ctx.clock.now().getTime() > message.claimedUntil.getTime() - leaseSafetyMs(policy.leaseMs)) {
    report.deferred++;
    return;
  }
  try {
    const refusal = message.channel === 'sms' ? await sendTextMessage(ctx, message) : await sendEmail(ctx, message);
    if (refusal !== null) {
      const now = ctx.clock.now();
      await ctx.outbox.markFailed(message, refusal, now, null);
      report.failures.push({
        id: message.id,
        kind: message.kind,
        attempts: message.attempts,
        error: refusal,
        retryAt: null,
      });
      return;
    }
  } catch (error) {
    const now = ctx.clock.now();
    const retryAt = nextAttemptAfterFailure(message.attempts, now, policy.maxAttempts);
    const failure = {
      id: message.id,
      kind: message.kind,
      attempts: message.attempts,
      error: describeError(error),
      retryAt,
    };
    await ctx.outbox.markFailed(message, failure.error, now, retryAt);
    report.failures.push(failure);
    return;
  }
  if (await recordSent(ctx, message)) report.sent++;
  else report.lostClaims++;
}

async function sendEmail(ctx: DeliveryContext, message: ClaimedMessage): Promise<null> {
  await ctx.mailer.send(await renderClaimed(ctx, message));
  return null;
}

/**
 * Sends one text message, or says why it is given up for good (opted out, past the day's
 * limit, refused by the gateway…); throws on a trouble worth retrying (5xx, timeout).
 */
async function sendTextMessage(ctx: DeliveryContext, message: ClaimedMessage): Promise<string | null> {
  const sms = ctx.sms;
  if (!sms) return 'SMS_NOT_CONFIGURED: no text-message sender';
  const text = renderSmsText(message, { language: message.language, publicUrl: ctx.publicUrl });
  if (text === null) return `SMS_NO_TEXT: ${message.kind} does not go by text message`;
  const phoneKey = sms.hasher.identityKey(smsPhoneMaterial(message.recipient));
  if (await sms.guard.isOptedOut(phoneKey)) return 'SMS_OPTED_OUT: the number answered STOP';
  if (!(await sms.guard.countSend(phoneKey, smsDay(ctx.clock.now()), sms.dailyLimit)))
    return `SMS_DAILY_LIMIT: ${sms.dailyLimit} text messages to this number today already`;
  const outcome = await sms.sender.send({ to: internationalNumber(message.recipient), text, id: message.id });
  return outcome.status === 'sent' ? null : describeError(`SMS_REJECTED: ${outcome.reason}`);
}

/** Marks a sent message, through a database blip if need be (RECORD_SENT_RETRY_DELAYS_MS), while its lease holds. */
async function recordSent(ctx: DeliveryContext, message: ClaimedMessage): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await ctx.outbox.markSent(message, ctx.clock.now());
    } catch (error) {
      const delay = RECORD_SENT_RETRY_DELAYS_MS[attempt];
      if (delay === undefined || ctx.clock.now().getTime() + delay >= message.claimedUntil.getTime()) throw error;
      await sleep(delay);
    }
  }
}

/**
 * While a run works, renews every leaseRenewalIntervalMs the lease of the messages it still
 * holds, and moves their `claimedUntil` along (deliverOne reads it). A renewal that fails (the
 * database is down) is skipped: the lease, still two thirds ahead, waits for the next one.
 */
function renewWhileHeld(ctx: DeliveryContext, policy: DeliveryPolicy, held: Set<ClaimedMessage>): () => Promise<void> {
  let renewing: Promise<void> | null = null;
  const renew = async () => {
    const claims = [...held];
    if (claims.length === 0) return;
    const now = ctx.clock.now();
    const renewed = new Set(await ctx.outbox.renewClaims(claims, now, policy.leaseMs));
    const until = new Date(now.getTime() + policy.leaseMs);
    for (const message of claims) if (renewed.has(message.id)) message.claimedUntil = until;
  };
  const timer = setInterval(() => {
    renewing ??= renew()
      .catch(() => {})
      .finally(() => {
        renewing = null;
      });
  }, leaseRenewalIntervalMs(policy.leaseMs));
  timer.unref();
  return async () => {
    clearInterval(timer);
    await renewing;
  };
}

/**
 * One run: claims and delivers due messages, batch after batch, until none is due (or
 * maxBatches, or `keepGoing` says stop: the process is shutting down). On a stop the sends in
 * flight finish and are recorded, and the messages of the batch not yet tried are released
 * (their claims cleared, their attempt given back): another worker sends them at once instead
 * of waiting for the lease to run out, and a stop never waits for a whole batch of slow sends.
 */
export async function deliverDueMessages(
  ctx: DeliveryContext,
  keepGoing: () => boolean = () => true,
): Promise<DeliveryReport> {
  const policy = { ...DEFAULT_DELIVERY_POLICY, ...ctx.policy };
  const report: DeliveryReport = { claimed: 0, sent: 0, failures: [], lostClaims: 0, deferred: 0, released: 0 };
  const held = new Set<ClaimedMessage>();
  const stopRenewing = renewWhileHeld(ctx, policy, held);
  try {
    for (let batch = 0; batch < policy.maxBatches && keepGoing(); batch++) {
      const claimed = await ctx.outbox.claimDue(ctx.clock.now(), policy.batchSize, policy.leaseMs);
      report.claimed += claimed.length;
      for (const message of claimed) held.add(message);
      let next = 0;
      const lane = async () => {
        while (next < claimed.length && keepGoing()) {
          const message = claimed[next++]!;
          try {
            await deliverOne(ctx, policy, message, report);
          } finally {
            held.delete(message);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(policy.concurrency, claimed.length) }, lane));
      const untried = claimed.slice(next);
      if (untried.length > 0) {
        for (const message of untried) held.delete(message);
        report.released += await ctx.outbox.releaseClaims(untried, ctx.clock.now());
      }
      if (claimed.length < policy.batchSize) break;
    }
  } finally {
    held.clear();
    await stopRenewing();
  }
  return report;
}

export type OutboxWorker = PeriodicJob<DeliveryReport>;

/**
 * Runs `deliverDueMessages` every `intervalMs`, and as soon as a transaction of this process
 * commits messages (the store's onCommitted). Every instance runs one: the claims share the
 * work. `onReport` hears of the runs that claimed something.
 */
export function startOutboxWorker(
  ctx: DeliveryContext,
  options: { intervalMs: number; onReport?: (report: DeliveryReport) => void; onError?: (error: unknown) => void },
): OutboxWorker {
  let stopping = false;
  const job = startPeriodicJob(() => deliverDueMessages(ctx, () => !stopping), {
    intervalMs: options.intervalMs,
    onReport: (report) => {
      if (report.claimed > 0) options.onReport?.(report);
    },
    onError: options.onError,
  });
  const unsubscribe = ctx.outbox.onCommitted(job.nudge);
  return {
    ...job,
    async stop() {
      stopping = true;
      unsubscribe();
      await job.stop();
    },
  };
}
