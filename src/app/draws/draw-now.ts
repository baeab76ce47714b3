// A draw now (a manual tick), for one allocation procedure of a prefecture or for each one it
// draws for: what `creneau draw run` does. An empty list: the prefecture draws for none.
import type { AllocationContext } from './allocation-context.ts';
import { type DrawRunReport, runDrawForTick } from './run-draw.ts';

export async function drawNow(
  ctx: AllocationContext,
  input: { prefectureId: string; procedureId?: string | undefined },
): Promise<DrawRunReport[]> {
  const procedureIds = input.procedureId
    ? [input.procedureId]
    : (await ctx.draws.queues.listScheduled())
        .filter((p) => p.prefectureId === input.prefectureId)
        .map((p) => p.procedureId);
  const tick = ctx.clock.now();
  const reports: DrawRunReport[] = [];
  for (const procedureId of procedureIds)
    reports.push(await runDrawForTick(ctx, { prefectureId: input.prefectureId, procedureId, tick, trigger: 'manual' }));
  return reports;
}
