// The prefecture's daily draw time: every procedure without a cadence (update-draw-cadence.ts)
// is drawn once a day at `dailyAt`, local time. The draw scheduler reads draw_schedule at
// every tick. (draw_schedule.after_release is no longer read: a release is an instant anyone
// can watch, so no draw follows it.)
import { assertNoProblems, drawScheduleProblems } from '../../domain/configuration-rules.ts';
import type { Agent } from '../../ports/agent-store.ts';
import type { DrawScheduleSettings } from '../../ports/configuration-store.ts';
import type { AgentOrigin } from '../agents/agent-context.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { ConfigurationContext } from './configuration-context.ts';
import { prefectureFor } from './configuration-scope.ts';

export async function updateDrawSchedule(
  ctx: ConfigurationContext<'prefectures', 'drawSchedules' | 'audit'>,
  agent: Agent,
  prefectureId: string,
  input: { dailyAt: string },
  origin: Pick<AgentOrigin, 'ip'>,
): Promise<DrawScheduleSettings> {
  const prefecture = await prefectureFor(ctx.store, agent, prefectureId);
  assertNoProblems(drawScheduleProblems(input));
  return ctx.store.transaction(async (tx) => {
    const before = await tx.drawSchedules.get(prefecture.id);
    const after = { prefectureId: prefecture.id, dailyAt: input.dailyAt };
    await tx.drawSchedules.upsert(after);
    await recordAudit(tx.audit, {
      agent,
      prefectureId: prefecture.id,
      action: 'draw_schedule.update',
      target: { type: 'draw_schedule', id: prefecture.id },
      before,
      after,
      at: ctx.clock.now(),
      ip: origin.ip,
    });
    return after;
  });
}
