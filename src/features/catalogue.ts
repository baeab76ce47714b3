// Prefectures, sites and procedures: the public API and the home page.
import { catalogueUseCases } from '../app/catalogue/catalogue-use-cases.ts';
import { homePages } from '../http/pages/home.ts';
import { catalogueRoutes } from '../http/routes/catalogue.ts';
import type { Feature } from './feature.ts';
import type { Ports } from './ports.ts';

export function createCatalogueFeature(ports: Pick<Ports, 'bookings' | 'clock'>) {
  const useCases = catalogueUseCases({ store: ports.bookings, clock: ports.clock });
  return {
    name: 'catalogue',
    useCases,
    routes: catalogueRoutes(useCases),
    pages: homePages(useCases),
  } satisfies Feature;
}
