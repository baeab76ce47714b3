// The call-back an agent asks for, if they may see it: another prefecture's looks unknown
// (CALLBACK_NOT_FOUND), so that an agent of 93 learns nothing of 973's queue.
import { can, canAccessPrefecture } from '../../domain/agent-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import type { Agent } from '../../ports/agent-store.ts';
import type { CallbackRequest } from '../../ports/callback-store.ts';
import type { CallbackQueueContext } from './callback-queue-context.ts';

export async function callbackInScope(ctx: CallbackQueueContext, agent: Agent, id: string): Promise<CallbackRequest> {
  if (!can(agent, 'callbacks.handle')) throw new DomainError('FORBIDDEN_SCOPE');
  const callback = await ctx.callbacks.findCallbackRequest(id);
  if (!callback || !canAccessPrefecture(agent, callback.prefectureId)) throw new DomainError('CALLBACK_NOT_FOUND');
  return callback;
}

/**
 * Why a conditional change matched nothing, read again after it: gone, taken by someone
 * else, or changed since the agent saw it.
 */
export async function conflictOf(
  ctx: CallbackQueueContext,
  id: string,
  otherAssigneeMeansTaken: (assignee: string | null) => boolean,
): Promise<DomainError> {
  const now = await ctx.callbacks.findCallbackRequest(id);
  if (!now) return new DomainError('CALLBACK_NOT_FOUND');
  if (otherAssigneeMeansTaken(now.assignedAgent)) {
    return new DomainError('CALLBACK_ALREADY_TAKEN', undefined, {
      assignedAgentId: now.assignedAgent,
      assignedAgentName: now.assignedAgentName,
      version: now.version,
    });
  }
  return new DomainError('CALLBACK_CHANGED', undefined, { version: now.version, status: now.status });
}
