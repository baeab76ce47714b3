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
import type { ConfigCounter, ConfigOpeningRule } from '../../ports/configuration-store.ts';
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
  const { rules, slots } = await addOpeningRules(ctx, agent, [counterId], input, origin);
  return { rule: rules[0]!, slots };
}

/**
 * The same rule for several counters of one site at once (issue 15, Agents 7: "the four
 * counters of Bobigny, Monday–Friday 09:00–12:00"): one rule each, all in one transaction
 * with one resync — every counter gets it, or none. No counter, or counters of two sites, is
 * VALIDATION_FAILED on `counterIds`.
 */
export async function addOpeningRules(
  ctx: ConfigurationContext<'counters' | 'prefectures' | 'procedures', 'openingRules' | ResyncRepositories | 'audit'>,
  agent: Agent,
  counterIds: readonly string[],
  input: OpeningRuleInput,
  origin: Pick<AgentOrigin, 'ip'>,
): Promise<{ rules: ConfigOpeningRule[]; slots: ResyncReport }> {
  const counters: ConfigCounter[] = [];
  for (const id of new Set(counterIds)) counters.push(await counterFor(ctx.store, agent, id));
  const first = counters[0];
  if (!first || counters.some((c) => c.siteId !== first.siteId))
    assertNoProblems([
      {
        field: 'counterIds',
        problem: first ? 'site' : 'required',
        message: first ? 'counters of one site only' : 'at least one counter',
      },
    ]);
  const counter = first!;
  const prefecture = (await ctx.store.prefectures.get(counter.prefectureId))!;
  const now = ctx.clock.now();
  const problems = newOpeningRuleProblems({ counterId: counter.id, ...input }, localDateOf(now, prefecture.timeZone));
  problems.push(...scheduledProcedureProblems(input.procedureId, await ctx.store.procedures.get(input.procedureId)));
  assertNoProblems(problems);
  return ctx.store.transaction(async (tx) => {
    const rules: ConfigOpeningRule[] = [];
    for (const c of counters)
      rules.push((await tx.openingRules.get(await tx.openingRules.insert({ counterId: c.id, ...input })))!);
    const slots = await resyncSlots(tx, counter.prefectureId, input.validFrom, { now, horizonDays: ctx.horizonDays });
    for (const created of rules)
      await recordAudit(tx.audit, {
        agent,
        prefectureId: counter.prefectureId,
        action: 'opening_rule.create',
        target: { type: 'opening_rule', id: created.id },
        after: { ...created, slots },
        at: now,
        ip: origin.ip,
      });
    return { rules, slots };
  });
}
