// What the request use cases use: the booking context (catalogue, identity checks, email
// codes, clock, secrets) plus the request store, wired in main.ts.
import { DomainError } from '../../domain/errors.ts';
import type { AllocationRequest, RequestStore, RequestTransaction } from '../../ports/request-store.ts';
import type { AppContext } from '../shared/context.ts';

export interface RequestContext extends AppContext {
  requests: RequestStore;
}

export function requestContext(ctx: AppContext, requests: RequestStore): RequestContext {
  return { ...ctx, requests };
}

/** The request a management token opens, locked for the rest of the transaction; REQUEST_NOT_FOUND otherwise. */
export async function lockRequestOfToken(
  ctx: RequestContext,
  tx: RequestTransaction,
  managementToken: string,
): Promise<AllocationRequest> {
  const request = await tx.lockRequestByToken(ctx.hasher.tokenDigest(managementToken));
  if (!request) throw new DomainError('REQUEST_NOT_FOUND');
  return request;
}
