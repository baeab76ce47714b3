import type { ChainPoint } from '../../domain/evidence-chain.ts';
import type { EvidenceChainReader } from '../../ports/evidence-chain.ts';

/** The head to publish: the last link's number and hash (anyone who keeps it can later check the past was not rewritten). */
export function evidenceHead(ctx: { evidence: EvidenceChainReader }): Promise<ChainPoint> {
  return ctx.evidence.head();
}
