// Opens a counter for a procedure on one date beyond its rules (a Saturday session, a holiday
// opened on purpose). That day's rules for the counter and procedure give way to it; its slots
// appear at once, and free slots of the rules it replaces that day are withdrawn.
import {
  assertNoProblems,
  exceptionalOpeningProblems,
  scheduledProcedureProblems,
} from '../../domain/configuration-rules.ts';
import { localDateOf } from '../../domain/local-time.ts';
import type { ExceptionalOpening } from '../../domain/slot-generation.ts';
import type { Agent } from '../../ports/agent-store.ts';
import type { ConfigExceptionalOpening } from '../../ports/configuration-store.ts';
import type { AgentOrigin } from '../agents/agent-context.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { ConfigurationContext } from './configuration-context.ts';
import { counterFor } from './configuration-scope.ts';
import { type ResyncReport, type ResyncRepositories, resyncSlots } from './resync-slots.ts';

/** An exceptional opening for the counter named apart. */
export type ExceptionalOpeningInput = Omit<ExceptionalOpening, 'counterId'>;

export async function addExceptionalOpening(
  ctx: ConfigurationContext<
    'counters' | 'prefectures' | 'procedures',
    'exceptionalOpenings' | ResyncRepositories | 'audit'
  >,
  agent: Agent,
  counterId: string,
  input: ExceptionalOpeningInput,
  origin: Pick<AgentOrigin, 'ip'>,
): Promise<{ opening: ConfigExceptionalOpening; slots: ResyncReport }> {
  const counter = await counterFor(ctx.store, agent, counterId);
  const prefecture = (await ctx.store.prefectures.get(counter.prefectureId))!;
  const now = ctx.clock.now();
  const opening = { counterId: counter.id, ...input };
  const problems = exceptionalOpeningProblems(opening, localDateOf(now, prefecture.timeZone));
  problems.push(...scheduledProcedureProblems(input.procedureId, await ctx.store.procedures.get(input.procedureId)));
  assertNoProblems(problems);
  return ctx.store.transaction(async (tx) => {
    const id = await tx.exceptionalOpenings.insert(opening);
    const created = (await tx.exceptionalOpenings.get(id))!;
    const slots = await resyncSlots(tx, counter.prefectureId, input.date, { now, horizonDays: ctx.horizonDays });
    await recordAudit(tx.audit, {
      agent,
      prefectureId: counter.prefectureId,
      action: 'exceptional_opening.create',
      target: { type: 'exceptional_opening', id },
      after: { ...created, slots },
      at: now,
      ip: origin.ip,
    });
    return { opening: created, slots };
  });
}
