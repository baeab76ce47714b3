// Scoring as events happen, in the transaction of the event (no batch job to forget): a filing
// scores its request; a withdrawal, a cancellation, an offer left unanswered, a no-show or an
// identity refused at a counter score again the live requests that share something with it.
// The store counts (FraudSignals.requestFacts), domain/fraud-signals.ts scores and decides the
// hold; a hold is told to the person at once (outbox, same transaction), in the same words for
// everyone: it is being checked, it keeps its place, back in the draws by the lapse at the latest.
import {
  type FraudEvent,
  type FraudThresholds,
  holdLapsesAt,
  scoreRequest,
  shouldHold,
} from '../../domain/fraud-signals.ts';
import { LIVE_REQUEST_STATUSES } from '../../domain/request-rules.ts';
import type { FraudSignals, ScoredRequest, Sharing } from '../../ports/fraud-store.ts';
import type { NewOutboxMessage, OutboxWriter } from '../../ports/outbox.ts';

/** What a transaction offers the scoring: the signals and the outbox. */
export interface ScoringTransaction extends Pick<OutboxWriter, 'enqueueMessages'> {
  fraud: FraudSignals;
}

export interface ScoredOutcome {
  requestId: string;
  score: number;
  held: boolean;
}

export function requestHeldNotification(request: ScoredRequest, lapsesAt: Date, now: Date): NewOutboxMessage {
  return {
    kind: 'request-held',
    payload: {
      requestReference: request.reference,
      givenNames: request.givenNames,
      surname: request.surname,
      procedureName: request.procedureName,
      lapsesAt: lapsesAt.toISOString(),
      timeZone: request.timeZone,
    },
    recipient: request.email,
    language: request.language,
    // One message per hold (a request cleared, then held again for new evidence, is told again).
    dedupeKey: `request-held:${request.id}:${now.toISOString()}`,
    deliverAfter: now,
  };
}

/**
 * Scores each live request again as of `now` and holds those the rules say: the outcomes, and the
 * messages telling the held ones (for the caller to enqueue with its own). Not live: skipped.
 */
export async function scoreAndHold(
  fraud: FraudSignals,
  thresholds: FraudThresholds,
  requestIds: readonly string[],
  event: FraudEvent,
  now: Date,
): Promise<{ outcomes: ScoredOutcome[]; messages: NewOutboxMessage[] }> {
  const outcomes: ScoredOutcome[] = [];
  const messages: NewOutboxMessage[] = [];
  for (const requestId of requestIds) {
    const request = await fraud.lockScoredRequest(requestId);
    if (!request || !LIVE_REQUEST_STATUSES.includes(request.status)) continue;
    const score = scoreRequest(await fraud.requestFacts(requestId, now), thresholds.rules);
    const held = shouldHold(score, request.reviewState, request.clearedKinds, thresholds.holdScore);
    const lapsesAt = holdLapsesAt(now, thresholds.holdHours);
    // A zero that was zero (most filings) changes nothing: not written.
    if (held || score.score > 0 || request.fraudScore > 0)
      await fraud.recordRequestScore(requestId, { event, at: now, ...score, hold: held ? { lapsesAt } : null });
    if (held) messages.push(requestHeldNotification(request, lapsesAt, now));
    outcomes.push({ requestId, score: score.score, held });
  }
  return { outcomes, messages };
}

/** Scores each live request again as of `now`; holds those the rules say, and tells them. Not live: skipped. */
export async function scoreRequests(
  tx: ScoringTransaction,
  thresholds: FraudThresholds,
  requestIds: readonly string[],
  event: FraudEvent,
  now: Date,
): Promise<ScoredOutcome[]> {
  const { outcomes, messages } = await scoreAndHold(tx.fraud, thresholds, requestIds, event, now);
  if (messages.length > 0) await tx.enqueueMessages(messages, now);
  return outcomes;
}

/** After a churn or a counter outcome: the live requests sharing the identity document, email, phone or network, scored again. */
export async function rescoreSharing(
  tx: ScoringTransaction,
  thresholds: FraudThresholds,
  sharing: Sharing,
  event: FraudEvent,
  now: Date,
): Promise<ScoredOutcome[]> {
  return scoreRequests(tx, thresholds, await tx.fraud.liveRequestsSharing(sharing), event, now);
}

/**
 * After an event on a request or an appointment, the live requests around it scored again: those
 * of the same identity document only (a churn: a withdrawal or cancellation), or those sharing
 * its document, email, phone or network (a counter outcome: a no-show, an identity refused).
 */
export async function rescoreAround(
  tx: ScoringTransaction,
  thresholds: FraudThresholds,
  subject: { kind: 'request' | 'appointment'; id: string },
  event: FraudEvent,
  now: Date,
): Promise<ScoredOutcome[]> {
  const sharing = await tx.fraud.sharingOf(subject.kind, subject.id);
  if (!sharing) return [];
  const around = event === 'churn' ? { identityKey: sharing.identityKey } : sharing;
  return rescoreSharing(tx, thresholds, around, event, now);
}

/** A direct booking's score: flagged on the review list at the hold score, never held (the slot is the person's). */
export async function scoreAppointment(
  tx: ScoringTransaction,
  thresholds: FraudThresholds,
  appointmentId: string,
  now: Date,
): Promise<number> {
  const score = scoreRequest(await tx.fraud.appointmentFacts(appointmentId, now), thresholds.rules);
  // A new booking's score is 0 already: written (with its observation) only when something counts.
  if (score.score > 0) await tx.fraud.recordAppointmentScore(appointmentId, { event: 'booked', at: now, ...score });
  return score.score;
}
