// Taking a call-back ("I call this person"), or — supervisors and administrators — giving it
// to another agent of its prefecture, or back to nobody. One conditional UPDATE on the
// version the agent saw (and, to take it, on nobody having it): of two agents taking the same
// call-back at once one wins, the other gets CALLBACK_ALREADY_TAKEN (409) with who has it.
// Audited as 'callback.assign' in the same transaction (ids only: never the phone number
// nor the situation, which the retention period purges while the audit trail stays).
import { DomainError } from '../../domain/errors.ts';
import type { Agent } from '../../ports/agent-store.ts';
import type { CallbackRequest } from '../../ports/callback-store.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { CallbackOrigin, CallbackQueueContext } from './callback-queue-context.ts';
import { callbackInScope, conflictOf } from './find-in-scope.ts';

export interface AssignCallbackInput {
  callbackId: string;
  /** 'me': take it; an agent's id: give it to them; null: back to nobody (supervisors and administrators). */
  assignTo: 'me' | string | null;
  /** The version the agent saw; absent: the one read now (an API client's "take it whatever I saw"). */
  expectedVersion?: number;
}

function invalidAssignee(): DomainError {
  const message = 'assignee: an enabled agent of the prefecture of this call-back';
  return new DomainError('VALIDATION_FAILED', message, { errors: [{ path: 'assignee', message }] });
}

export async function assignCallback(
  ctx: CallbackQueueContext,
  agent: Agent,
  input: AssignCallbackInput,
  origin: CallbackOrigin = { ip: null },
): Promise<CallbackRequest> {
  const callback = await callbackInScope(ctx, agent, input.callbackId);
  const taking = input.assignTo === 'me' || input.assignTo === agent.id;
  let assignee: string | null = agent.id;
  if (!taking) {
    // A counter agent takes call-backs for themselves; handing them out is a supervisor's.
    if (agent.role === 'counter') throw new DomainError('FORBIDDEN_SCOPE');
    if (input.assignTo !== null) {
      const target = await ctx.agents.accounts.findById(input.assignTo);
      if (!target || target.disabledAt !== null || target.prefectureId !== callback.prefectureId)
        throw invalidAssignee();
      assignee = target.id;
    } else {
      assignee = null;
    }
  }
  const expectedVersion = input.expectedVersion ?? callback.version;
  if (callback.assignedAgent === assignee && callback.version === expectedVersion) return callback;

  const at = ctx.clock.now();
  // Nothing changed (the conditional UPDATE matched no row): say why once the transaction is over
  // (on PGlite, one connection, a read beside the open transaction would wait for it).
  const result = await ctx.callbacks.transaction(async (tx) => {
    let updated: CallbackRequest | null;
    try {
      updated = await tx.assignCallback({
        id: callback.id,
        agentId: assignee,
        expectedVersion,
        onlyIfUnassigned: taking,
        at,
      });
    } catch (error) {
      // The database's own check (trigger callback_assignee_in_prefecture), should the agent have been disabled meanwhile.
      if ((error as { code?: string; constraint?: string }).constraint === 'callback_assignee_in_prefecture')
        throw invalidAssignee();
      throw error;
    }
    if (!updated) return null;
    await recordAudit(tx, {
      agent,
      prefectureId: callback.prefectureId,
      action: 'callback.assign',
      at,
      ip: origin.ip,
      target: { type: 'callback_request', id: callback.id },
      before: { assignedAgentId: callback.assignedAgent, version: callback.version },
      after: { assignedAgentId: updated.assignedAgent, version: updated.version },
    });
    return updated;
  });
  if (!result) throw await conflictOf(ctx, callback.id, (now) => taking && now !== null && now !== agent.id);
  return result;
}
