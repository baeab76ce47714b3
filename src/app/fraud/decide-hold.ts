// An agent's decision on a held request (issue 16 §3), 'fraud.review' in the request's prefecture:
//   * clear: back in the draws at once, in its batch (queued_on never changed); the kinds of
//     signal it was held for are recorded, so the same evidence does not hold it again
//     (domain/fraud-signals.ts shouldHold) — only a new kind does;
//   * refuse: the request is closed (status 'closed', review_state 'refused': the close reason),
//     its pending offer withdrawn; the person is emailed that it was refused after a check
//     and how to contest it (the prefecture's phone or counter).
// A reason is required for both and audited with the decision ('request.fraud_clear',
// 'request.fraud_refuse'), in the decision's transaction. One conditional UPDATE on "still
// held": of two agents deciding at once, one wins, the other gets HOLD_ALREADY_DECIDED.

import { DomainError } from '../../domain/errors.ts';
import {
  clearedKindsOf,
  decisionReasonProblem,
  HOLD_REASON_MAX_LENGTH,
  type HoldDecision,
  isHeldAt,
  isHoldDecision,
} from '../../domain/fraud-signals.ts';
import type { Agent } from '../../ports/agent-store.ts';
import type { FraudCase } from '../../ports/fraud-store.ts';
import type { NewOutboxMessage } from '../../ports/outbox.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { FraudContext, FraudOrigin } from './fraud-context.ts';
import { noteLapsedHolds } from './review-list.ts';
import { caseInScope } from './review-scope.ts';

export interface DecideHoldInput {
  requestId: string;
  decision: string;
  reason: string;
}

const invalid = (path: string, message: string) =>
  new DomainError('VALIDATION_FAILED', `${path}: ${message}`, { errors: [{ path, message }] });

const alreadyDecided = (c: Pick<FraudCase, 'reviewState' | 'status'>) =>
  new DomainError('HOLD_ALREADY_DECIDED', undefined, { reviewState: c.reviewState, status: c.status });

function refusedNotification(c: FraudCase, email: string, language: 'fr' | 'en', prefectureName: string, now: Date) {
  return {
    kind: 'request-refused',
    payload: {
      requestReference: c.reference,
      givenNames: c.givenNames,
      surname: c.surname,
      procedureName: c.procedureName,
      prefectureName,
    },
    recipient: email,
    language,
    dedupeKey: `request-refused:${c.id}`,
    deliverAfter: now,
  } satisfies NewOutboxMessage;
}

export async function decideHold(
  ctx: FraudContext,
  agent: Agent,
  input: DecideHoldInput,
  origin: FraudOrigin = { ip: null },
): Promise<FraudCase> {
  // The scope first: another prefecture's request is unknown, whatever the form says.
  const before = await caseInScope(ctx, agent, 'request', input.requestId);
  if (!isHoldDecision(input.decision)) throw invalid('decision', 'cleared or refused');
  const decision: HoldDecision = input.decision;
  const reason = input.reason.trim();
  const problem = decisionReasonProblem(reason);
  if (problem === 'reason_required') throw invalid('reason', 'a decision says why');
  if (problem === 'reason_too_long') throw invalid('reason', `at most ${HOLD_REASON_MAX_LENGTH} characters`);
  const now = ctx.clock.now();
  // A hold past its lapse is no longer the agent's to decide: noted as lapsed, then refused as decided.
  if (before.reviewState === 'held' && !isHeldAt(before.reviewState, before.lapsesAt, now)) {
    await noteLapsedHolds(ctx, before.prefectureId);
    throw alreadyDecided({ reviewState: 'cleared', status: before.status });
  }
  if (before.reviewState !== 'held') throw alreadyDecided(before);

  const decided = await ctx.fraud.transaction(async (tx) => {
    const request = await tx.lockScoredRequest(before.id);
    if (!request) return false;
    const clearedKinds = clearedKindsOf(before, request.clearedKinds);
    const applied = await tx.decide({
      requestId: before.id,
      decision,
      agentId: agent.id,
      at: now,
      reason,
      clearedKinds: decision === 'cleared' ? clearedKinds : request.clearedKinds,
    });
    if (!applied) return false;
    await recordAudit(tx, {
      agent,
      prefectureId: before.prefectureId,
      action: decision === 'cleared' ? 'request.fraud_clear' : 'request.fraud_refuse',
      at: now,
      ip: origin.ip,
      target: { type: 'allocation_request', id: before.id },
      before: { reference: before.reference, reviewState: 'held', score: before.score, reasons: before.reasons },
      after: {
        reference: before.reference,
        reviewState: decision,
        reason,
        ...(decision === 'cleared' ? { clearedKinds } : { status: 'closed' }),
      },
    });
    if (decision === 'refused')
      await tx.enqueueMessages(
        [refusedNotification(before, request.email, request.language, request.prefectureName, now)],
        now,
      );
    return true;
  });
  const after = await ctx.fraud.findCase('request', before.id);
  if (!after) throw new DomainError('FRAUD_CASE_NOT_FOUND');
  if (!decided) throw alreadyDecided(after);
  return after;
}
