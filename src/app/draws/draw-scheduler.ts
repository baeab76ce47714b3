// The draw job: every interval, on every instance,
//   1. expire the offers whose deadline passed (their slots return to the draw);
//   2. for each queue (prefecture and procedure done at a counter), make sure its NEXT tick
//      has a commitment (domain/draw-commitment.ts: published ahead, so that the seed is bound
//      before the batch closes), then find the latest due tick of its schedule
//      (domain/draw-schedule.ts) and, if it was not drawn yet, run it.
// Several instances may run it at the same moment: the draw row's unique tick elects one
// (run-draw.ts) and the expiry sweep skips rows another instance holds. Nothing is kept in
// memory between runs: a restarted instance picks up where the database says.
import { commitmentOf, drawSecretOf } from '../../domain/draw-commitment.ts';
import { CATCH_UP_MS, type DrawSchedule, latestDueTick, ticksBetween } from '../../domain/draw-schedule.ts';
import { type ExpiryReport, expireOffers } from '../offers/expire-offers.ts';
import { type PeriodicJob, startPeriodicJob } from '../shared/periodic-job.ts';
import type { AllocationContext } from './allocation-context.ts';
import { type DrawRunReport, runDrawForTick } from './run-draw.ts';

export interface SchedulerRunReport {
  expiry: ExpiryReport;
  draws: DrawRunReport[];
  failures: { prefectureId: string; procedureId: string; error: unknown }[];
}

export interface SchedulerOptions {
  catchUpMs?: number;
}

/** The scheduler reads the queues and which ticks were drawn, and runs the draws. */
type SchedulerContext = AllocationContext<
  'procedures' | 'prefectures' | 'queues' | 'draws',
  'draws' | 'requests' | 'slots' | 'offers' | 'outbox' | 'fraud'
>;

/** Looking this far ahead always finds the next tick of a daily schedule. */
const NEXT_TICK_HORIZON_MS = 2 * 86_400_000;

/**
 * Commits to the queue's next tick if nothing did yet: the first instance's secret wins (the
 * insert does nothing on a tick already committed), so all agree.
 */
async function commitNextTick(
  ctx: SchedulerContext,
  scheduled: DrawSchedule & { prefectureId: string; procedureId: string },
) {
  const now = ctx.clock.now();
  const next = ticksBetween(scheduled, now, new Date(now.getTime() + NEXT_TICK_HORIZON_MS))[0];
  if (!next) return;
  const secret = drawSecretOf(ctx.secrets.randomBytes(32));
  await ctx.draws.transaction((tx) =>
    tx.draws.ensure({
      prefectureId: scheduled.prefectureId,
      procedureId: scheduled.procedureId,
      tick: next.at,
      secret,
      commitment: commitmentOf(secret),
      committedAt: now,
    }),
  );
}

export async function runDueDraws(ctx: SchedulerContext, options: SchedulerOptions = {}): Promise<SchedulerRunReport> {
  const catchUpMs = options.catchUpMs ?? CATCH_UP_MS;
  const expiry = await expireOffers(ctx);
  const report: SchedulerRunReport = { expiry, draws: [], failures: [] };
  for (const scheduled of await ctx.draws.queues.listScheduled()) {
    const { prefectureId, procedureId } = scheduled;
    try {
      await commitNextTick(ctx, scheduled);
      const now = ctx.clock.now();
      const tick = latestDueTick(scheduled, now, catchUpMs);
      if (!tick || (await ctx.draws.draws.exists(prefectureId, procedureId, tick.at))) continue;
      report.draws.push(await runDrawForTick(ctx, { prefectureId, procedureId, tick: tick.at, trigger: tick.trigger }));
    } catch (error) {
      // One queue's failure must not stop the others' draws.
      report.failures.push({ prefectureId, procedureId, error });
    }
  }
  return report;
}

export type DrawScheduler = Pick<PeriodicJob<SchedulerRunReport>, 'runNow' | 'stop'>;

/**
 * Runs `runDueDraws` every `intervalMs` (a minute is right: ticks are drawn at most that late). A run still going when the next is due is not doubled; the next one skips.
 */
export function startDrawScheduler(
  ctx: SchedulerContext,
  options: SchedulerOptions & {
    intervalMs: number;
    onReport?: (report: SchedulerRunReport) => void;
    onError?: (error: unknown) => void;
  },
): DrawScheduler {
  return startPeriodicJob(() => runDueDraws(ctx, options), options);
}
