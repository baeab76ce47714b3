// The evidence pack's use cases (issue 16, part 4): export (with its hold and audit), verify,
// the public key, the holds of the supervisors' page.
import { bindUseCases } from '../shared/use-cases.ts';
import { assembleEvidencePack } from './assemble-evidence-pack.ts';
import type { EvidencePackContext } from './evidence-pack-context.ts';
import { exportEvidencePack } from './export-evidence-pack.ts';
import { listPackHolds, releasePackHold } from './pack-holds.ts';
import { evidencePublicKey, verifyEvidencePack } from './verify-evidence-pack.ts';

export const evidencePackUseCases = (ctx: EvidencePackContext) =>
  bindUseCases(ctx, {
    exportEvidencePack,
    assembleEvidencePack,
    verifyEvidencePack,
    evidencePublicKey,
    listPackHolds,
    releasePackHold,
  });

export type EvidencePackUseCases = ReturnType<typeof evidencePackUseCases>;
