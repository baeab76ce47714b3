// A procedure's national policy (administrators only): the release of slots (days ahead,
// time), how long an offer stays open, and how many offers a request may ignore or decline
// before it is closed. There is no booking mode nor allocation order: every procedure done at
// a counter takes requests, drawn, and bookings of the slots a draw left without a taker.
// A new release policy reaches the future free slots of every prefecture (their release
// instant is recomputed); the other settings act on the next draw or offer.
import { assertNoProblems, type ProcedurePolicy, procedurePolicyProblems } from '../../domain/configuration-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import { isSlug } from '../../domain/identifiers.ts';
import type { Agent } from '../../ports/agent-store.ts';
import type { ConfigProcedure } from '../../ports/configuration-store.ts';
import type { AgentOrigin } from '../agents/agent-context.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { ConfigurationContext } from './configuration-context.ts';
import { requirePermission } from './configuration-scope.ts';
import { type ResyncReport, type ResyncRepositories, resyncSlots } from './resync-slots.ts';

export async function updateProcedurePolicy(
  ctx: ConfigurationContext<'procedures', 'procedures' | ResyncRepositories | 'audit'>,
  agent: Agent,
  procedureId: string,
  input: ProcedurePolicy,
  origin: Pick<AgentOrigin, 'ip'>,
): Promise<{ procedure: ConfigProcedure; slots: ResyncReport[] }> {
  requirePermission(agent, 'settings.national');
  const procedure = isSlug(procedureId) ? await ctx.store.procedures.get(procedureId) : null;
  if (!procedure) throw new DomainError('PROCEDURE_NOT_FOUND');
  assertNoProblems(procedurePolicyProblems(input));
  const policy: ProcedurePolicy = {
    releaseDaysAhead: input.releaseDaysAhead,
    releaseTime: input.releaseTime,
    offerHours: input.offerHours,
    maxIgnoredOffers: input.maxIgnoredOffers,
    maxDeclines: input.maxDeclines,
  };
  return ctx.store.transaction(async (tx) => {
    await tx.procedures.updatePolicy(procedure.id, policy);
    const now = ctx.clock.now();
    const after = { ...procedure, ...policy };
    const releaseChanged =
      policy.releaseDaysAhead !== procedure.releaseDaysAhead || policy.releaseTime !== procedure.releaseTime;
    const slots: ResyncReport[] = [];
    if (releaseChanged) {
      for (const prefecture of await tx.prefectures.list())
        slots.push(await resyncSlots(tx, prefecture.id, null, { now, horizonDays: ctx.horizonDays }));
    }
    await recordAudit(tx.audit, {
      agent,
      prefectureId: null,
      action: 'procedure.update',
      target: { type: 'procedure', id: procedure.id },
      before: procedure,
      after: { ...after, ...(releaseChanged ? { slots } : {}) },
      at: now,
      ip: origin.ip,
    });
    return { procedure: after, slots };
  });
}
