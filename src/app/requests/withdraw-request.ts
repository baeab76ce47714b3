// Withdrawing a live request. A pending offer is withdrawn with it, in the same transaction:
// its slot is free for the next draw as soon as this commits (never for a first-come race).
import { assertLiveRequest } from '../../domain/request-rules.ts';
import { fraudThresholdsOf } from '../fraud/filing-signals.ts';
import { rescoreAround } from '../fraud/score-requests.ts';
import { lockRequestOfToken, type RequestContext } from './request-context.ts';
import { describeRequest, findRequestOfToken, type RequestView } from './view-request.ts';

export interface WithdrawnRequest {
  request: RequestView;
  /** True when an offer was pending and was withdrawn with the request. */
  offerWithdrawn: boolean;
}

export async function withdrawRequest(ctx: RequestContext, managementToken: string): Promise<WithdrawnRequest> {
  const { procedure } = await findRequestOfToken(ctx, managementToken);
  return ctx.requests.transaction(async (tx) => {
    const request = await lockRequestOfToken(ctx, tx, managementToken);
    assertLiveRequest(request);
    const now = ctx.clock.now();
    const { request: withdrawn, offerWithdrawn } = await tx.withdrawRequest(request.id, now);
    // A withdrawal is churn: the person's other live requests are scored again.
    await rescoreAround(tx, fraudThresholdsOf(ctx), { kind: 'request', id: request.id }, 'churn', now);
    return { request: await describeRequest(ctx, tx, withdrawn, procedure), offerWithdrawn };
  });
}
