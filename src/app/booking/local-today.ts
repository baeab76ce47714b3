// Today's date in a prefecture's zone: where the pages' search for free slots starts.
import { localDateOf } from '../../domain/local-time.ts';
import type { Clock } from '../../ports/clock.ts';

/** YYYY-MM-DD, local to `timeZone`. */
export function localToday(ctx: { clock: Clock }, timeZone: string): string {
  return localDateOf(ctx.clock.now(), timeZone);
}
