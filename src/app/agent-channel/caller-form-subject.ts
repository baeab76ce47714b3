// What a caller form sent back names: its procedure and site (null when unknown: the form is
// shown again), and the instant the caller's identity fields are checked at (a permit's expiry).
import type { Procedure, Site } from '../../ports/booking-store.ts';
import type { AppContext } from '../shared/context.ts';

export interface CallerFormSubject {
  procedure: Procedure | null;
  site: Site | null;
  asOf: Date;
}

export async function callerFormSubject(
  ctx: Pick<AppContext, 'store' | 'clock'>,
  names: { procedureId?: string | undefined; siteId?: string | undefined },
): Promise<CallerFormSubject> {
  const [procedure, site] = await Promise.all([
    names.procedureId ? ctx.store.getProcedure(names.procedureId) : null,
    names.siteId ? ctx.store.getSite(names.siteId) : null,
  ]);
  return { procedure, site, asOf: ctx.clock.now() };
}
