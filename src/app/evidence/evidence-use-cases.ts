// The evidence feature's use cases: the chain's head, its daily publication, its verification.
import { bindUseCases } from '../shared/use-cases.ts';
import { evidenceHead } from './evidence-head.ts';
import { type PublishEvidenceHeadContext, publishEvidenceHead } from './publish-evidence-head.ts';
import { verifyEvidenceChain } from './verify-evidence-chain.ts';

export const evidenceUseCases = (ctx: PublishEvidenceHeadContext) =>
  bindUseCases(ctx, { verifyEvidenceChain, evidenceHead, publishEvidenceHead });

export type EvidenceUseCases = ReturnType<typeof evidenceUseCases>;
