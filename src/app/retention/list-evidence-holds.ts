// Every hold, active and released, oldest first (`creneau evidence holds`).
import type { EvidenceHold } from '../../domain/retention.ts';
import type { RetentionContext } from './retention-context.ts';

export const listEvidenceHolds = (ctx: Pick<RetentionContext, 'retention'>): Promise<EvidenceHold[]> =>
  ctx.retention.listHolds();
