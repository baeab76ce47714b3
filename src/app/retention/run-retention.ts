// The daily retention run (README "Retention"): every instance's upkeep calls it, and
// `creneau retention run`; the database elects one caller per UTC day (retention_run's key),
// the others return at once. The holds are read once, at the start: a hold placed during a run
// applies from the next one. A run that fails midway is not retried the same day — the next
// day's run takes what it left (every purge is idempotent).
import { retentionCutoffs, retentionPeriod } from '../../domain/retention.ts';
import type { RetentionRunReport } from '../../ports/retention-store.ts';
import { clearFraudSignals } from './clear-fraud-signals.ts';
import { purgeClosedRequests } from './purge-closed-requests.ts';
import { purgePastAppointments } from './purge-past-appointments.ts';
import { purgeSecurityEvents } from './purge-security-events.ts';
import type { RetentionContext } from './retention-context.ts';

export type RetentionRunOutcome =
  | { status: 'ran'; period: string; report: RetentionRunReport }
  | { status: 'already-run'; period: string };

export async function runRetention(ctx: RetentionContext): Promise<RetentionRunOutcome> {
  const now = ctx.clock.now();
  const period = retentionPeriod(now);
  if (!(await ctx.retention.claimRun(period, now))) return { status: 'already-run', period };
  const holds = await ctx.retention.activeHolds();
  const security = await purgeSecurityEvents(ctx, { now, period, holds });
  const requests = await purgeClosedRequests(ctx, { now, holds });
  const appointments = await purgePastAppointments(ctx, { now, holds });
  const identityTraces = await ctx.retention.purgeIdentityTraces(retentionCutoffs(ctx.policy, now).records);
  const signals = await clearFraudSignals(ctx, { now, holds });
  const report: RetentionRunReport = {
    securityEvents: security.purged,
    requests: requests.purged,
    appointments: appointments.purged,
    identityTraces,
    fraudSignals: signals.purged,
    held: security.held + requests.held + appointments.held + signals.held,
  };
  await ctx.retention.finishRun(period, ctx.clock.now(), report);
  return { status: 'ran', period, report };
}
