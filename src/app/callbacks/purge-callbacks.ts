// Retention of call-backs (domain/callback-rules.ts CALLBACK_RETENTION_DAYS): the resolved and
// unreachable ones are deleted, with their history, 90 days after their last change. Run by
// the periodic upkeep (main.ts); idempotent, so several instances may run it at once.
import { callbackPurgeCutoff } from '../../domain/callback-rules.ts';
import type { CallbackStore } from '../../ports/callback-store.ts';
import type { Clock } from '../../ports/clock.ts';

export function purgeCallbacks(ctx: {
  callbacks: Pick<CallbackStore, 'purgeClosedCallbacks'>;
  clock: Clock;
}): Promise<number> {
  return ctx.callbacks.purgeClosedCallbacks(callbackPurgeCutoff(ctx.clock.now()));
}
