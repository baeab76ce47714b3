// What the draw and offer use cases use: ports only, built from the app context plus the
// draw store (wired in main.ts).
import type { DrawStore } from '../ports/draw-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { Mailer, MailMessage } from '../ports/mailer.ts';
import type { Hasher, SecretGenerator } from '../ports/secrets.ts';
import type { AppContext } from './context.ts';

export interface AllocationContext {
  draws: DrawStore;
  clock: Clock;
  secrets: SecretGenerator;
  hasher: Hasher;
  mailer: Mailer;
  /** A message that could not be sent after its transaction committed (logged by the caller). */
  onMailError?: (error: unknown, message: MailMessage) => void;
}

export function allocationContext(ctx: AppContext, draws: DrawStore, onMailError?: AllocationContext['onMailError']): AllocationContext {
  return { draws, clock: ctx.clock, secrets: ctx.secrets, hasher: ctx.hasher, mailer: ctx.mailer, ...(onMailError ? { onMailError } : {}) };
}

export interface MailReport {
  sent: number;
  failed: number;
}

/**
 * Sends messages after the transaction that decided them has committed, a few at a time; a
 * failure is reported and does not stop the others (the decision stands either way).
 * A later issue replaces this with a transactional outbox, written in the same transaction
 * and delivered with retries; until then a crash between commit and send loses the message
 * (the applicant still sees the offer and its deadline in Créneau).
 */
export async function sendAfterCommit(ctx: AllocationContext, messages: MailMessage[], concurrency = 4): Promise<MailReport> {
  const report: MailReport = { sent: 0, failed: 0 };
  let next = 0;
  const worker = async () => {
    while (next < messages.length) {
      const message = messages[next++]!;
      try {
        await ctx.mailer.send(message);
        report.sent++;
      } catch (error) {
        report.failed++;
        ctx.onMailError?.(error, message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, messages.length) }, worker));
  return report;
}
