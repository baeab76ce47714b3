// Where a request goes: its procedure and prefecture, the sites of the prefecture that
// receive the procedure today, and today there — what the filing and the change forms offer.
import { localDateOf } from '../../domain/local-time.ts';
import type { Prefecture, Procedure, Site } from '../../ports/booking-store.ts';
import type { ReceivingSite } from '../../ports/request-store.ts';
import type { RequestContext } from './request-context.ts';

export interface RequestTarget {
  procedure: Procedure;
  prefecture: Prefecture;
  /** Sites of the prefecture that receive the procedure, in the catalogue's order. */
  sites: Site[];
  receiving: ReceivingSite[];
  /** Today in the prefecture's time zone. */
  today: string;
  /** When it was read (a form's checks, such as a plausible birth date, are made at this instant). */
  asOf: Date;
}

export interface FoundRequestTarget {
  /** Null: no such procedure, or no such prefecture. */
  procedure: Procedure | null;
  prefecture: Prefecture | null;
  /** When both exist. */
  target: RequestTarget | null;
}

export async function findRequestTarget(
  ctx: Pick<RequestContext, 'requests' | 'clock'>,
  input: { procedureId: string; prefectureId: string },
): Promise<FoundRequestTarget> {
  const asOf = ctx.clock.now();
  const { procedure, prefecture, sites, receiving } = await ctx.requests.requestCatalogue(
    input.prefectureId,
    input.procedureId,
    asOf,
  );
  if (!procedure || !prefecture) return { procedure, prefecture, target: null };
  const today = localDateOf(asOf, prefecture.timeZone);
  const open = new Set(receiving.map((r) => r.siteId));
  const target = { procedure, prefecture, sites: sites.filter((s) => open.has(s.id)), receiving, today, asOf };
  return { procedure, prefecture, target };
}
