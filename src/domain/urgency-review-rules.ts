// Review of declared urgencies (issue 11 §4). For a procedure without a registry check, the
// permit or récépissé expiry an applicant declares gives no priority until an agent has seen
// the document (on the phone, at the counter) and confirmed it; a refusal says why.
//   pending → confirmed (an optional note) | refused (a reason, required)
// Once decided, a declaration stays decided: a second decision is URGENCY_ALREADY_REVIEWED.

export const URGENCY_DECISIONS = ['confirmed', 'refused'] as const;
export type UrgencyDecision = (typeof URGENCY_DECISIONS)[number];

export const isUrgencyDecision = (value: unknown): value is UrgencyDecision =>
  URGENCY_DECISIONS.includes(value as UrgencyDecision);

/** What the review list shows: the declarations still to check, or those decided lately. */
export const URGENCY_VIEWS = ['pending', 'decided'] as const;
export type UrgencyView = (typeof URGENCY_VIEWS)[number];

/** How far back the "recently decided" view looks. */
export const RECENTLY_DECIDED_DAYS = 30;

export const URGENCY_REASON_MAX_LENGTH = 500;

/** Spaces collapsed, control characters removed, trimmed. */
export function normaliseReviewReason(raw: string): string {
  return raw
    .replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Why a decision is not acceptable as given (null: fine). A refusal needs a reason; a confirmation may carry a note. */
export function decisionProblem(
  decision: UrgencyDecision,
  reason: string,
): 'reason_required' | 'reason_too_long' | null {
  if ([...reason].length > URGENCY_REASON_MAX_LENGTH) return 'reason_too_long';
  if (decision === 'refused' && reason === '') return 'reason_required';
  return null;
}

export function recentlyDecidedSince(now: Date): Date {
  return new Date(now.getTime() - RECENTLY_DECIDED_DAYS * 86_400_000);
}
