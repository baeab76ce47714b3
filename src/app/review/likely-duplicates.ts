// Likely duplicates (issue 11 §3): people who queue or book under different identity
// documents but look like one person — same names and birth date, or same email
// (domain/duplicate-rules.ts). Listed for the supervisors of the prefecture, flagged on the
// agenda and at check-in; never refused.
import { type AgentScope, can, canAccessPrefecture, scopedPrefecture } from '../../domain/agent-rules.ts';
import { type DuplicateGroup, groupLikelyDuplicates } from '../../domain/duplicate-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import type { Agent } from '../../ports/agent-store.ts';
import type { Clock } from '../../ports/clock.ts';
import type { PersonRecord, ReviewStore } from '../../ports/review-store.ts';
import { activeFrom, type ReviewContext } from './review-context.ts';

/** Groups in one answer of the API (the first ones; `total` says how many there are). */
export const DUPLICATE_GROUPS_MAX = 200;
/** Groups per page of the supervisors' page: the demo's 200 groups made one page 158,000 px tall. */
export const DUPLICATE_GROUPS_PER_PAGE = 20;
/**
 * Records of one group listed on that page: a fleet filing under one email makes a group of
 * hundreds (the demo's first page was 1.4 MB, 31,000 elements); the reasons give its size.
 */
export const DUPLICATE_RECORDS_SHOWN = 50;

export type PersonCandidate = PersonRecord & { key: string };

export interface DuplicateList {
  /** null: an administrator who has not chosen a prefecture yet. */
  prefectureId: string | null;
  /** The groups of the page asked, numbered from `firstNumber`. */
  groups: DuplicateGroup<PersonCandidate>[];
  /** How many groups there are in all. */
  total: number;
  /** The page listed (1 when there is no group), of `pageCount`. */
  page: number;
  pageCount: number;
  firstNumber: number;
}

export interface DuplicateFilter {
  prefectureId: string | null;
  /** 1-based; past the last page, the last page. Default 1. */
  page?: number;
  /** Default DUPLICATE_GROUPS_MAX. */
  pageSize?: number;
}

const asCandidate = (r: PersonRecord): PersonCandidate => ({ ...r, key: `${r.kind}:${r.id}` });

export async function listLikelyDuplicates(
  ctx: ReviewContext,
  agent: Agent,
  filter: DuplicateFilter,
): Promise<DuplicateList> {
  if (!can(agent, 'duplicates.read')) throw new DomainError('FORBIDDEN_SCOPE');
  const prefectureId = scopedPrefecture(agent, filter.prefectureId);
  if (prefectureId === undefined) throw new DomainError('FORBIDDEN_SCOPE');
  // Records of two prefectures are never grouped: an administrator chooses one.
  if (prefectureId === null) return { prefectureId: null, groups: [], total: 0, page: 1, pageCount: 1, firstNumber: 1 };
  const records = await ctx.review.duplicateCandidates({ prefectureId, activeFrom: activeFrom(ctx.clock.now()) });
  const groups = groupLikelyDuplicates(records.map(asCandidate));
  const pageSize = filter.pageSize ?? DUPLICATE_GROUPS_MAX;
  const pageCount = Math.max(1, Math.ceil(groups.length / pageSize));
  const page = Math.min(Math.max(1, filter.page ?? 1), pageCount);
  const first = (page - 1) * pageSize;
  return {
    prefectureId,
    groups: groups.slice(first, first + pageSize),
    total: groups.length,
    page,
    pageCount,
    firstNumber: first + 1,
  };
}

/**
 * Which of these appointments (all of one prefecture, already in the agent's scope) belong to
 * a group of likely duplicates: the flag of the agenda and of the check-in screen.
 */
export async function possibleDuplicateAppointments(
  ctx: { review: Pick<ReviewStore, 'duplicateCandidatesAround'>; clock: Clock },
  agent: AgentScope,
  prefectureId: string,
  appointmentIds: readonly string[],
): Promise<Set<string>> {
  if (appointmentIds.length === 0 || !canAccessPrefecture(agent, prefectureId)) return new Set();
  const records = await ctx.review.duplicateCandidatesAround(
    { prefectureId, activeFrom: activeFrom(ctx.clock.now()) },
    appointmentIds,
  );
  const flagged = new Set<string>();
  for (const group of groupLikelyDuplicates(records.map(asCandidate))) {
    for (const r of group.records) if (r.kind === 'appointment') flagged.add(r.id);
  }
  return new Set(appointmentIds.filter((id) => flagged.has(id)));
}
