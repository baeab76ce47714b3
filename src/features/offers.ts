// Offers made by the draws: the one a request's token opens, and its answers (confirm,
// decline, extend once) — the public API (the pages are /my-request's, in the requests feature).
import { offerUseCases } from '../app/offers/offer-use-cases.ts';
import { lazyPlugin } from '../http/feature-plugins.ts';
import type { Feature } from './feature.ts';
import type { Ports } from './ports.ts';

export function createOfferFeature(ports: Pick<Ports, 'draws' | 'clock' | 'secrets' | 'hasher'>) {
  const useCases = offerUseCases({
    draws: ports.draws,
    clock: ports.clock,
    secrets: ports.secrets,
    hasher: ports.hasher,
  });
  return {
    name: 'offers',
    useCases,
    routes: lazyPlugin(async () => (await import('../http/routes/offers.ts')).offerRoutes(useCases)),
  } satisfies Feature;
}
