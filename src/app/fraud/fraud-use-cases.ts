// The fraud review's use cases, bound to their ports: the review list with its signals over
// time, a case with its evidence, and the decision on a held request.
import { bindUseCases } from '../shared/use-cases.ts';
import { decideHold } from './decide-hold.ts';
import type { FraudContext } from './fraud-context.ts';
import { listFraudReview, noteLapsedHolds } from './review-list.ts';
import { viewFraudCase } from './view-fraud-case.ts';

export const fraudUseCases = (ctx: FraudContext) =>
  bindUseCases(ctx, { listFraudReview, viewFraudCase, decideHold, noteLapsedHolds });

export type FraudUseCases = ReturnType<typeof fraudUseCases>;
