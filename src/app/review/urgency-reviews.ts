// Declared urgencies awaiting an agent's check (issue 11 §4): for a procedure without a
// registry check, the permit or récépissé expiry an applicant declares gives no priority
// until an agent has seen the document and confirmed it.
//   * listUrgencyDeclarations: the pending ones of the agent's prefecture — a counter agent's:
//     the requests naming one of their sites — oldest filed first; or those decided in the
//     last 30 days, latest first;
//   * decideUrgency: confirm (optional note) or refuse (reason required), one conditional
//     UPDATE on "still pending", audited as 'request.urgency_confirm' / 'request.urgency_refuse'
//     in the same transaction. Two agents deciding at once: one wins, the other gets
//     URGENCY_ALREADY_REVIEWED (409).
// Another prefecture's request, or one naming none of a counter agent's sites, looks unknown
// (URGENCY_NOT_FOUND).
import { can, canAccessPrefecture, scopedPrefecture } from '../../domain/agent-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import {
  decisionProblem,
  isUrgencyDecision,
  normaliseReviewReason,
  recentlyDecidedSince,
  URGENCY_REASON_MAX_LENGTH,
  type UrgencyDecision,
  type UrgencyView,
} from '../../domain/urgency-review-rules.ts';
import type { Agent } from '../../ports/agent-store.ts';
import type { UrgencyDeclaration } from '../../ports/review-store.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { decodePageCursor, encodePageCursor } from '../shared/page-cursor.ts';
import type { ReviewContext, ReviewOrigin } from './review-context.ts';

export const URGENCY_PAGE_SIZE = 50;

export interface UrgencyFilter {
  /** Asked prefecture (null: the agent's own; every one for an administrator). */
  prefectureId: string | null;
  view: UrgencyView;
  /** The cursor of the next page. */
  after?: string;
  limit?: number;
}

export interface UrgencyList {
  prefectureId: string | null;
  view: UrgencyView;
  items: UrgencyDeclaration[];
  next: string | null;
}

/** "<instant ISO>~<id>": where the next page starts. */
export const encodeReviewCursor = encodePageCursor;
export const decodeReviewCursor = decodePageCursor;

const invalid = (path: string, message: string) =>
  new DomainError('VALIDATION_FAILED', `${path}: ${message}`, { errors: [{ path, message }] });

/** The sites whose requests a counter agent reviews (undefined: the whole prefecture). */
const sitesOf = (agent: Agent): readonly string[] | undefined => (agent.role === 'counter' ? agent.siteIds : undefined);

export async function listUrgencyDeclarations(
  ctx: ReviewContext,
  agent: Agent,
  filter: UrgencyFilter,
): Promise<UrgencyList> {
  if (!can(agent, 'urgency.review')) throw new DomainError('FORBIDDEN_SCOPE');
  const prefectureId = scopedPrefecture(agent, filter.prefectureId);
  if (prefectureId === undefined) throw new DomainError('FORBIDDEN_SCOPE');
  const after = filter.after ? decodeReviewCursor(filter.after) : undefined;
  if (after === null) throw invalid('after', 'not a cursor of this list');
  const limit = Math.min(Math.max(filter.limit ?? URGENCY_PAGE_SIZE, 1), URGENCY_PAGE_SIZE);
  const sites = sitesOf(agent);
  const rows = await ctx.review.listUrgencyDeclarations({
    prefectureId,
    view: filter.view,
    limit: limit + 1,
    ...(sites ? { siteIds: sites } : {}),
    ...(filter.view === 'decided' ? { decidedSince: recentlyDecidedSince(ctx.clock.now()) } : {}),
    ...(after ? { after } : {}),
  });
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const next =
    rows.length > limit && last
      ? encodeReviewCursor(filter.view === 'pending' ? last.filedAt : last.reviewedAt!, last.requestId)
      : null;
  return { prefectureId, view: filter.view, items, next };
}

function inScope(agent: Agent, d: UrgencyDeclaration): boolean {
  if (!canAccessPrefecture(agent, d.prefectureId)) return false;
  const sites = sitesOf(agent);
  return sites === undefined || d.siteIds.some((s) => sites.includes(s));
}

async function declarationInScope(ctx: ReviewContext, agent: Agent, requestId: string): Promise<UrgencyDeclaration> {
  if (!can(agent, 'urgency.review')) throw new DomainError('FORBIDDEN_SCOPE');
  const found = await ctx.review.findUrgencyDeclaration(requestId);
  if (!found || !inScope(agent, found)) throw new DomainError('URGENCY_NOT_FOUND');
  return found;
}

function alreadyReviewed(d: UrgencyDeclaration): DomainError {
  return new DomainError('URGENCY_ALREADY_REVIEWED', undefined, {
    urgencyStatus: d.urgencyStatus,
    reviewedAt: d.reviewedAt?.toISOString() ?? null,
    reviewedBy: d.reviewedByName,
  });
}

/** Why nothing changed: decided by someone else, or the request is no longer live. */
function conflictOf(d: UrgencyDeclaration): DomainError {
  if (d.urgencyStatus !== 'pending') return alreadyReviewed(d);
  return new DomainError('REQUEST_NOT_ACTIVE', undefined, { status: d.requestStatus });
}

const LIVE = new Set(['waiting', 'offered', 'paused']);

export interface DecideUrgencyInput {
  requestId: string;
  decision: string;
  /** The reason of a refusal (required), or a note with a confirmation (optional). */
  reason: string;
}

export async function decideUrgency(
  ctx: ReviewContext,
  agent: Agent,
  input: DecideUrgencyInput,
  origin: ReviewOrigin = { ip: null },
): Promise<UrgencyDeclaration> {
  // The scope first: another prefecture's request is unknown, whatever the form says.
  const declaration = await declarationInScope(ctx, agent, input.requestId);
  if (!isUrgencyDecision(input.decision)) throw invalid('decision', 'confirmed or refused');
  const decision: UrgencyDecision = input.decision;
  const reason = normaliseReviewReason(input.reason);
  const problem = decisionProblem(decision, reason);
  if (problem === 'reason_required') throw invalid('reason', 'a refusal says why');
  if (problem === 'reason_too_long') throw invalid('reason', `at most ${URGENCY_REASON_MAX_LENGTH} characters`);
  if (declaration.urgencyStatus !== 'pending' || !LIVE.has(declaration.requestStatus)) throw conflictOf(declaration);

  const at = ctx.clock.now();
  // Nothing changed (the conditional UPDATE matched no row): say why once the transaction is over
  // (on PGlite, one connection, a read beside the open transaction would wait for it).
  const decided = await ctx.review.transaction(async (tx) => {
    const updated = await tx.decideUrgency({
      requestId: declaration.requestId,
      decision,
      agentId: agent.id,
      at,
      reason,
    });
    if (!updated) return null;
    await recordAudit(tx, {
      agent,
      prefectureId: declaration.prefectureId,
      action: decision === 'confirmed' ? 'request.urgency_confirm' : 'request.urgency_refuse',
      at,
      ip: origin.ip,
      target: { type: 'allocation_request', id: declaration.requestId },
      before: {
        reference: declaration.reference,
        urgencyDate: declaration.urgencyDate,
        urgencyStatus: declaration.urgencyStatus,
      },
      after: {
        reference: declaration.reference,
        urgencyDate: updated.urgencyDate,
        urgencyStatus: updated.urgencyStatus,
        reason: updated.reviewReason,
      },
    });
    return updated;
  });
  if (decided) return decided;
  const now = await ctx.review.findUrgencyDeclaration(declaration.requestId);
  throw now ? conflictOf(now) : new DomainError('URGENCY_NOT_FOUND');
}
