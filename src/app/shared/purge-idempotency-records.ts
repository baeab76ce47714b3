// Idempotency records hold a booking's first response — management token included — so a
// client whose response was lost can retry. They are useful for a day, then only a risk.
import type { AppContext } from './context.ts';

export const IDEMPOTENCY_RETENTION_HOURS = 24;

export function purgeIdempotencyRecords(ctx: AppContext): Promise<number> {
  return ctx.store.purgeIdempotencyRecords(
    new Date(ctx.clock.now().getTime() - IDEMPOTENCY_RETENTION_HOURS * 3_600_000),
  );
}
