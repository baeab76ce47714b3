// Where a procedure can be had in a prefecture: only the sites that offer it (a site with no
// counter open for it, or withdrawn from it, is not listed), each with the next instant its new
// slots are released — so a site with nothing bookable today says when it will have some.
import { DomainError } from '../../domain/errors.ts';
import { localDateOf } from '../../domain/local-time.ts';
import type { CatalogueReader, Prefecture, SiteOffering } from '../../ports/booking-store.ts';
import type { Clock } from '../../ports/clock.ts';

export interface SitesOfferingContext {
  store: Pick<CatalogueReader, 'getPrefecture' | 'listSitesOffering'>;
  clock: Clock;
}

export async function sitesOffering(
  ctx: SitesOfferingContext,
  input: { prefectureId: string; procedureId: string },
): Promise<{ prefecture: Prefecture; sites: SiteOffering[] }> {
  const prefecture = await ctx.store.getPrefecture(input.prefectureId);
  if (!prefecture) throw new DomainError('PREFECTURE_NOT_FOUND');
  const now = ctx.clock.now();
  const sites = await ctx.store.listSitesOffering(
    prefecture.id,
    input.procedureId,
    now,
    localDateOf(now, prefecture.timeZone),
  );
  return { prefecture, sites };
}
