// Reconfirming a request paused after an unanswered offer (domain/offer-rules.ts): one click
// from the email or the page brings it back into the draws, in TODAY's batch — a request
// that let an offer lapse keeps no seniority over people who answered theirs.
import { DomainError } from '../../domain/errors.ts';
import { localDateOf } from '../../domain/local-time.ts';
import { lockRequestOfToken, type RequestContext } from './request-context.ts';
import { describeRequest, findRequestOfToken, type RequestView } from './view-request.ts';

export async function reconfirmRequest(ctx: RequestContext, managementToken: string): Promise<RequestView> {
  const { procedure } = await findRequestOfToken(ctx, managementToken);
  return ctx.requests.transaction(async (tx) => {
    const request = await lockRequestOfToken(ctx, tx, managementToken);
    if (request.status !== 'paused') throw new DomainError('REQUEST_NOT_PAUSED', undefined, { status: request.status });
    const now = ctx.clock.now();
    const reconfirmed = await tx.reconfirmRequest(request.id, localDateOf(now, request.timeZone), now);
    return describeRequest(ctx, tx, reconfirmed, procedure);
  });
}
