// The retention feature's use cases: the daily purge run, and the legal holds it honours.
import { bindUseCases } from '../shared/use-cases.ts';
import { listEvidenceHolds } from './list-evidence-holds.ts';
import { placeEvidenceHold } from './place-evidence-hold.ts';
import { releaseEvidenceHold } from './release-evidence-hold.ts';
import type { RetentionContext } from './retention-context.ts';
import { runRetention } from './run-retention.ts';

export const retentionUseCases = (ctx: RetentionContext) =>
  bindUseCases(ctx, { runRetention, placeEvidenceHold, releaseEvidenceHold, listEvidenceHolds });

export type RetentionUseCases = ReturnType<typeof retentionUseCases>;
