// One site's configuration: its details, counters, the procedures offered there with the
// agents' reserve, and its closures to come.
import { localDateOf } from '../../domain/local-time.ts';
import type { Agent } from '../../ports/agent-store.ts';
import type {
  ConfigClosure,
  ConfigCounter,
  ConfigPrefecture,
  ConfigProcedure,
  ConfigSite,
} from '../../ports/configuration-store.ts';
import type { ConfigurationContext } from './configuration-context.ts';
import { siteFor } from './configuration-scope.ts';

export interface SiteOfferView {
  procedure: ConfigProcedure;
  offered: boolean;
  reservedPercent: number;
}

export interface SiteConfiguration {
  prefecture: ConfigPrefecture;
  site: ConfigSite;
  counters: ConfigCounter[];
  offers: SiteOfferView[];
  closures: ConfigClosure[];
  /** Today in the prefecture's time zone (the earliest date of a closure). */
  today: string;
}

export async function viewSite(
  ctx: ConfigurationContext<'sites' | 'prefectures' | 'counters' | 'procedures' | 'siteOffers' | 'closures', never>,
  agent: Agent,
  siteId: string,
): Promise<SiteConfiguration> {
  const site = await siteFor(ctx.store, agent, siteId);
  const prefecture = (await ctx.store.prefectures.get(site.prefectureId))!;
  const today = localDateOf(ctx.clock.now(), prefecture.timeZone);
  const [counters, procedures, offers, closures] = await Promise.all([
    ctx.store.counters.listAtSite(site.id),
    ctx.store.procedures.list(),
    ctx.store.siteOffers.listAtSite(site.id),
    ctx.store.closures.listAtSiteFrom(site.id, today),
  ]);
  const offerOf = new Map(offers.map((o) => [o.procedureId, o]));
  return {
    prefecture,
    site,
    counters,
    closures,
    today,
    // No site_procedure row: offered, nothing reserved (migration 0007).
    offers: procedures.map((procedure) => ({
      procedure,
      offered: offerOf.get(procedure.id)?.offered ?? true,
      reservedPercent: offerOf.get(procedure.id)?.reservedPercent ?? 0,
    })),
  };
}
