// The evidence feature's use cases: the chain's head, and its verification.
import type { EvidenceChainReader } from '../../ports/evidence-chain.ts';
import { bindUseCases } from '../shared/use-cases.ts';
import { evidenceHead } from './evidence-head.ts';
import { verifyEvidenceChain } from './verify-evidence-chain.ts';

export const evidenceUseCases = (ctx: { evidence: EvidenceChainReader }) =>
  bindUseCases(ctx, { verifyEvidenceChain, evidenceHead });

export type EvidenceUseCases = ReturnType<typeof evidenceUseCases>;
