// A case with its evidence, for the case page: the score and its reasons, the observations
// over time, the records sharing its identity document, network, email domain, phone, device
// or names (references and names, shown to the agent only). Lapsed holds are noted first, so
// the page shows what the draws already do.
import type { AgentScope } from '../../domain/agent-rules.ts';
import type { FraudCase } from '../../ports/fraud-store.ts';
import type { FraudContext } from './fraud-context.ts';
import { noteLapsedHolds } from './review-list.ts';
import { caseInScope } from './review-scope.ts';

export async function viewFraudCase(
  ctx: FraudContext,
  agent: AgentScope,
  kind: 'request' | 'appointment',
  id: string,
): Promise<FraudCase> {
  const found = await caseInScope(ctx, agent, kind, id);
  if (found.reviewState === 'held' && found.lapsesAt && found.lapsesAt <= ctx.clock.now()) {
    await noteLapsedHolds(ctx, found.prefectureId);
    return caseInScope(ctx, agent, kind, id);
  }
  return found;
}
