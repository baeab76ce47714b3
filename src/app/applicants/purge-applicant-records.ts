// What the applicants' checks leave behind and the upkeep purges once it is of no use: email
// codes past their life, spent proof-of-work solutions past their challenge's expiry, and the
// answers kept under an Idempotency-Key (a day: they hold management tokens).
import type { Clock } from '../../ports/clock.ts';
import type { EmailVerificationStore } from '../../ports/email-verification-store.ts';
import type { IdempotentResponseStore } from '../../ports/idempotent-response-store.ts';
import { purgeIdempotentResponses } from '../shared/idempotent-requests.ts';

export interface ApplicantRecordsContext {
  clock: Clock;
  emailVerifications: Pick<EmailVerificationStore, 'purgeEmailVerifications'>;
  idempotentResponses: IdempotentResponseStore;
  powReplays: { purgeExpired(now: Date): Promise<number> };
}

/** How many rows of each kind were purged. */
export async function purgeApplicantRecords(ctx: ApplicantRecordsContext) {
  const now = ctx.clock.now();
  return {
    idempotentResponses: await purgeIdempotentResponses(ctx),
    emailVerifications: await ctx.emailVerifications.purgeEmailVerifications(now),
    powReplays: await ctx.powReplays.purgeExpired(now),
  };
}
