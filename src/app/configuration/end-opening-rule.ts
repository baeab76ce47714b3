// Ends an opening rule from a date (the first day without it): the rule keeps its past, its
// free slots from that day are withdrawn, the booked ones stay. A rule that had not started
// by then is removed. See domain/configuration-rules.ts (endOpeningRule) for examples.
import { endOpeningRule as ending } from '../../domain/configuration-rules.ts';
import { localDateOf } from '../../domain/local-time.ts';
import type { Agent } from '../../ports/agent-store.ts';
import type { ConfigOpeningRule } from '../../ports/configuration-store.ts';
import type { AgentOrigin } from '../agents/agent-context.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { ConfigurationContext } from './configuration-context.ts';
import { openingRuleFor } from './configuration-scope.ts';
import { type ResyncReport, type ResyncRepositories, resyncSlots } from './resync-slots.ts';

export type EndedRule =
  | { status: 'ended'; rule: ConfigOpeningRule; slots: ResyncReport }
  | { status: 'removed'; slots: ResyncReport }
  | { status: 'unchanged'; rule: ConfigOpeningRule };

export async function endOpeningRule(
  ctx: ConfigurationContext<'openingRules' | 'prefectures', 'openingRules' | ResyncRepositories | 'audit'>,
  agent: Agent,
  ruleId: string,
  input: { endsFrom: string },
  origin: Pick<AgentOrigin, 'ip'>,
): Promise<EndedRule> {
  const rule = await openingRuleFor(ctx.store, agent, ruleId);
  const prefecture = (await ctx.store.prefectures.get(rule.prefectureId))!;
  const now = ctx.clock.now();
  const change = ending(rule, input.endsFrom, localDateOf(now, prefecture.timeZone));
  if (change === null) return { status: 'unchanged', rule };
  return ctx.store.transaction(async (tx) => {
    if (change.kind === 'remove') await tx.openingRules.delete(rule.id);
    else await tx.openingRules.setEnd(rule.id, change.validUntil);
    const slots = await resyncSlots(tx, rule.prefectureId, input.endsFrom, { now, horizonDays: ctx.horizonDays });
    const after = change.kind === 'remove' ? null : { ...rule, validUntil: change.validUntil };
    await recordAudit(tx.audit, {
      agent,
      prefectureId: rule.prefectureId,
      action: change.kind === 'remove' ? 'opening_rule.delete' : 'opening_rule.end',
      target: { type: 'opening_rule', id: rule.id },
      before: rule,
      after: { rule: after, endsFrom: input.endsFrom, slots },
      at: now,
      ip: origin.ip,
    });
    return after ? { status: 'ended', rule: after, slots } : { status: 'removed', slots };
  });
}
