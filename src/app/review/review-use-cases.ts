// The review feature's use cases, bound to their ports: declared urgencies to confirm or
// refuse, and the likely duplicates of a prefecture.
import { bindUseCases } from '../shared/use-cases.ts';
import { listLikelyDuplicates } from './likely-duplicates.ts';
import type { ReviewContext } from './review-context.ts';
import { decideUrgency, listUrgencyDeclarations } from './urgency-reviews.ts';

export const reviewUseCases = (ctx: ReviewContext) =>
  bindUseCases(ctx, { listUrgencyDeclarations, decideUrgency, listLikelyDuplicates });

export type ReviewUseCases = ReturnType<typeof reviewUseCases>;
