// The call-backs an agent had taken (ports/agents/assigned-callbacks.ts).
import type { AssignedCallbackRepository } from '../../../ports/agents/assigned-callbacks.ts';
import type { Executor } from '../kysely-helpers.ts';

export function assignedCallbackRepository(db: Executor): AssignedCallbackRepository {
  return {
    async releaseAssignedTo(agentId, at) {
      const result = await db
        .updateTable('callback_request')
        .set((eb) => ({ assigned_agent: null, version: eb('version', '+', 1), updated_at: at }))
        .where('assigned_agent', '=', agentId)
        .where('status', 'in', ['to_call', 'called'])
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}
