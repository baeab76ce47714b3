// Prefectures, sites and procedures: the public API and the home page.
import { catalogueUseCases } from '../app/catalogue/catalogue-use-cases.ts';
import { lazyPlugin } from '../http/feature-plugins.ts';
import type { Feature } from './feature.ts';
import type { Ports } from './ports.ts';

export function createCatalogueFeature(ports: Pick<Ports, 'bookings' | 'clock'>) {
  const useCases = catalogueUseCases({ store: ports.bookings, clock: ports.clock });
  return {
    name: 'catalogue',
    useCases,
    routes: lazyPlugin(async () => (await import('../http/routes/catalogue.ts')).catalogueRoutes(useCases)),
    pages: lazyPlugin(async () => (await import('../http/pages/home.ts')).homePages(useCases)),
  } satisfies Feature;
}
