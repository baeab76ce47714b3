// Rename a counter, or take it out of service (or back in). A deactivated counter gets no new
// slots and its free future slots are withdrawn; its booked appointments stay (to move them,
// close the counter on those days: close-site.ts).
import { assertNoProblems, counterNameProblems } from '../../domain/configuration-rules.ts';
import type { Agent } from '../../ports/agent-store.ts';
import type { ConfigCounter } from '../../ports/configuration-store.ts';
import type { AgentOrigin } from '../agents/agent-context.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { ConfigurationContext } from './configuration-context.ts';
import { counterFor } from './configuration-scope.ts';
import { type ResyncRepositories, resyncSlots } from './resync-slots.ts';

export async function updateCounter(
  ctx: ConfigurationContext<'counters', 'counters' | ResyncRepositories | 'audit'>,
  agent: Agent,
  counterId: string,
  input: { name?: string; active?: boolean },
  origin: Pick<AgentOrigin, 'ip'>,
): Promise<ConfigCounter> {
  const counter = await counterFor(ctx.store, agent, counterId);
  const name = input.name === undefined ? counter.name : input.name.trim();
  assertNoProblems(counterNameProblems(name));
  const active = input.active ?? counter.active;
  return ctx.store.transaction(async (tx) => {
    await tx.counters.update(counter.id, { name, active });
    const now = ctx.clock.now();
    const after = { ...counter, name, active };
    const slots =
      active !== counter.active
        ? await resyncSlots(tx, counter.prefectureId, null, { now, horizonDays: ctx.horizonDays })
        : null;
    await recordAudit(tx.audit, {
      agent,
      prefectureId: counter.prefectureId,
      action: active !== counter.active ? (active ? 'counter.activate' : 'counter.deactivate') : 'counter.update',
      target: { type: 'counter', id: counter.id },
      before: counter,
      after: { ...after, ...(slots ? { slots } : {}) },
      at: now,
      ip: origin.ip,
    });
    return after;
  });
}
