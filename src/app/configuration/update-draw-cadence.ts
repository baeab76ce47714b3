// How often one procedure is drawn in a prefecture (the prefecture's supervisor, or an
// administrator). Without a cadence, the procedure is drawn once a day at the prefecture's
// daily time — right for scarce procedures: a day's requests form one batch. With one, it is
// drawn every `everyMinutes` from `fromTime` to `untilTime`, local time — right for calm ones:
// slots nobody asked for become open (first come) quickly. Either way a slot is drawn only
// after a full collection window (the cadence's step, or 12 hours for daily draws:
// domain/draw-schedule.ts). The draw scheduler reads draw_cadence at every tick.
// Audited in the change's transaction: draw_cadence.update, draw_cadence.delete.
import {
  assertNoProblems,
  type DrawCadenceInput,
  drawCadenceProblems,
  scheduledProcedureProblems,
} from '../../domain/configuration-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import { isSlug } from '../../domain/identifiers.ts';
import type { Agent } from '../../ports/agent-store.ts';
import type { ConfigPrefecture, ConfigProcedure, DrawCadenceSettings } from '../../ports/configuration-store.ts';
import type { AgentOrigin } from '../agents/agent-context.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { ConfigurationContext } from './configuration-context.ts';
import { prefectureFor } from './configuration-scope.ts';

/** What setting or removing a cadence reads and writes. */
type CadenceContext = ConfigurationContext<'prefectures' | 'procedures', 'drawCadences' | 'audit'>;

/** The prefecture (in the agent's scope) and the procedure (existing) of a cadence. */
async function queueFor(
  ctx: CadenceContext,
  agent: Agent,
  prefectureId: string,
  procedureId: string,
): Promise<{ prefecture: ConfigPrefecture; procedure: ConfigProcedure }> {
  const prefecture = await prefectureFor(ctx.store, agent, prefectureId);
  const procedure = isSlug(procedureId) ? await ctx.store.procedures.get(procedureId) : null;
  if (!procedure) throw new DomainError('PROCEDURE_NOT_FOUND');
  return { prefecture, procedure };
}

const targetOf = (c: { prefectureId: string; procedureId: string }) => ({
  type: 'draw_cadence',
  id: `${c.prefectureId}/${c.procedureId}`,
});

export async function setDrawCadence(
  ctx: CadenceContext,
  agent: Agent,
  prefectureId: string,
  procedureId: string,
  input: DrawCadenceInput,
  origin: Pick<AgentOrigin, 'ip'>,
): Promise<DrawCadenceSettings> {
  const { prefecture, procedure } = await queueFor(ctx, agent, prefectureId, procedureId);
  assertNoProblems([...scheduledProcedureProblems(procedure.id, procedure), ...drawCadenceProblems(input)]);
  const after: DrawCadenceSettings = {
    prefectureId: prefecture.id,
    procedureId: procedure.id,
    everyMinutes: input.everyMinutes,
    fromTime: input.fromTime,
    untilTime: input.untilTime,
  };
  return ctx.store.transaction(async (tx) => {
    const before = await tx.drawCadences.get(prefecture.id, procedure.id);
    await tx.drawCadences.upsert(after);
    await recordAudit(tx.audit, {
      agent,
      prefectureId: prefecture.id,
      action: 'draw_cadence.update',
      target: targetOf(after),
      before: before ?? { daily: true },
      after,
      at: ctx.clock.now(),
      ip: origin.ip,
    });
    return after;
  });
}

/** Back to one draw a day. `removed` is false (and nothing audited) when there was no cadence. */
export async function removeDrawCadence(
  ctx: CadenceContext,
  agent: Agent,
  prefectureId: string,
  procedureId: string,
  origin: Pick<AgentOrigin, 'ip'>,
): Promise<{ prefectureId: string; procedureId: string; removed: boolean }> {
  const { prefecture, procedure } = await queueFor(ctx, agent, prefectureId, procedureId);
  return ctx.store.transaction(async (tx) => {
    const before = await tx.drawCadences.get(prefecture.id, procedure.id);
    const removed = before !== null && (await tx.drawCadences.delete(prefecture.id, procedure.id));
    if (before && removed) {
      await recordAudit(tx.audit, {
        agent,
        prefectureId: prefecture.id,
        action: 'draw_cadence.delete',
        target: targetOf(before),
        before,
        after: { daily: true },
        at: ctx.clock.now(),
        ip: origin.ip,
      });
    }
    return { prefectureId: prefecture.id, procedureId: procedure.id, removed };
  });
}
