// What came of a call: called, resolved, unreachable — or back to the queue (to call), which
// releases it for anyone to take. A note may go with it (what was said, when to try again);
// a note alone, without a change of status, is allowed too. Each change adds one entry to
// the call-back's history (who, when, status before / after, note) and one audit event
// 'callback.status', in the same transaction as the conditional UPDATE on the version the
// agent saw. A counter agent changes only the call-backs that are theirs or nobody's (and a
// nobody's one becomes theirs); supervisors and administrators any of their prefecture.
import {
  CALLBACK_NOTE_MAX_LENGTH,
  type CallbackStatus,
  isCallbackStatus,
  normaliseCallbackNote,
  situationLength,
} from '../../domain/callback-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import type { Agent } from '../../ports/agent-store.ts';
import type { CallbackRequest } from '../../ports/callback-store.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { CallbackOrigin, CallbackQueueContext } from './callback-queue-context.ts';
import { callbackInScope, conflictOf } from './find-in-scope.ts';

export interface ChangeCallbackStatusInput {
  callbackId: string;
  status: string;
  note: string;
  expectedVersion?: number;
}

function invalid(path: 'status' | 'note', message: string): DomainError {
  return new DomainError('VALIDATION_FAILED', `${path}: ${message}`, { errors: [{ path, message }] });
}

export async function changeCallbackStatus(
  ctx: CallbackQueueContext,
  agent: Agent,
  input: ChangeCallbackStatusInput,
  origin: CallbackOrigin = { ip: null },
): Promise<CallbackRequest> {
  if (!isCallbackStatus(input.status)) throw invalid('status', 'to_call, called, resolved or unreachable');
  const status: CallbackStatus = input.status;
  const note = normaliseCallbackNote(input.note);
  if (situationLength(note) > CALLBACK_NOTE_MAX_LENGTH)
    throw invalid('note', `at most ${CALLBACK_NOTE_MAX_LENGTH} characters`);
  const callback = await callbackInScope(ctx, agent, input.callbackId);
  if (status === callback.status && note === '') throw invalid('note', 'the status is unchanged: write a note');
  const mine = agent.role === 'counter' ? agent.id : undefined;
  if (mine && callback.assignedAgent !== null && callback.assignedAgent !== mine) {
    throw new DomainError('CALLBACK_ALREADY_TAKEN', undefined, {
      assignedAgentId: callback.assignedAgent,
      assignedAgentName: callback.assignedAgentName,
      version: callback.version,
    });
  }
  const expectedVersion = input.expectedVersion ?? callback.version;

  const at = ctx.clock.now();
  // Nothing changed (the conditional UPDATE matched no row): say why once the transaction is over
  // (on PGlite, one connection, a read beside the open transaction would wait for it).
  const result = await ctx.callbacks.transaction(async (tx) => {
    const updated = await tx.changeCallbackStatus({
      id: callback.id,
      status,
      expectedVersion,
      release: status === 'to_call' && status !== callback.status,
      at,
      ...(mine ? { onlyIfFreeOrAssignedTo: mine } : {}),
    });
    if (!updated) return null;
    await tx.insertCallbackNote({
      callbackId: callback.id,
      agentId: agent.id,
      at,
      statusBefore: callback.status,
      statusAfter: status,
      text: note,
    });
    await recordAudit(tx, {
      agent,
      prefectureId: callback.prefectureId,
      action: 'callback.status',
      at,
      ip: origin.ip,
      target: { type: 'callback_request', id: callback.id },
      before: { status: callback.status, assignedAgentId: callback.assignedAgent, version: callback.version },
      // Whether a note was written, never its text (nor the situation): personal data stays out of the audit.
      after: {
        status: updated.status,
        assignedAgentId: updated.assignedAgent,
        version: updated.version,
        note: note !== '',
      },
    });
    return updated;
  });
  if (!result) throw await conflictOf(ctx, callback.id, (now) => mine !== undefined && now !== null && now !== mine);
  return result;
}
