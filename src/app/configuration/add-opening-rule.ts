// A new opening rule for a counter ("Monday–Thursday 09:00–12:00, 20-minute slots, from
// 2026-07-01"). Validated by the same rules as slot generation (validateOpeningRule), and
// starting today at the earliest. Its slots appear at once (resync from its first day);
// "editing" a rule is ending it from a date (end-opening-rule.ts) and adding its successor.
import {
  assertNoProblems,
  newOpeningRuleProblems,
  scheduledProcedureProblems,
} from '../../domain/configuration-rules.ts';
import { localDateOf } from '../../domain/local-time.ts';
import type { OpeningRule } from '../../domain/slot-generation.ts';
import type { Agent } from '../../ports/agent-store.ts';
import type { ConfigOpeningRule } from '../../ports/configuration-store.ts';
import type { AgentOrigin } from '../agents/agent-context.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { ConfigurationContext } from './configuration-context.ts';
import { counterFor } from './configuration-scope.ts';
import { type ResyncReport, type ResyncRepositories, resyncSlots } from './resync-slots.ts';

/** A rule for the counter named apart. */
export type OpeningRuleInput = Omit<OpeningRule, 'counterId'>;

export async function addOpeningRule(
  ctx: ConfigurationContext<'counters' | 'prefectures' | 'procedures', 'openingRules' | ResyncRepositories | 'audit'>,
  agent: Agent,
  counterId: string,
  input: OpeningRuleInput,
  origin: Pick<AgentOrigin, 'ip'>,
): Promise<{ rule: ConfigOpeningRule; slots: ResyncReport }> {
  const counter = await counterFor(ctx.store, agent, counterId);
  const prefecture = (await ctx.store.prefectures.get(counter.prefectureId))!;
  const now = ctx.clock.now();
  const rule = { counterId: counter.id, ...input };
  const problems = newOpeningRuleProblems(rule, localDateOf(now, prefecture.timeZone));
  problems.push(...scheduledProcedureProblems(input.procedureId, await ctx.store.procedures.get(input.procedureId)));
  assertNoProblems(problems);
  return ctx.store.transaction(async (tx) => {
    const id = await tx.openingRules.insert(rule);
    const created = (await tx.openingRules.get(id))!;
    const slots = await resyncSlots(tx, counter.prefectureId, input.validFrom, { now, horizonDays: ctx.horizonDays });
    await recordAudit(tx.audit, {
      agent,
      prefectureId: counter.prefectureId,
      action: 'opening_rule.create',
      target: { type: 'opening_rule', id },
      after: { ...created, slots },
      at: now,
      ip: origin.ip,
    });
    return { rule: created, slots };
  });
}
