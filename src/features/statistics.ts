// Public numbers (issue 17): the weekly-figures job (started with the background jobs by
// main.ts, elected once per hour across instances), the public pages and open data, and the
// administrators' national view, and capacity planning for supervisors (issue 17 part 2).
import type { StatisticsContext } from '../app/statistics/statistics-context.ts';
import { statisticsUseCases } from '../app/statistics/statistics-use-cases.ts';
import { lazyPlugin, pluginsInTurn } from '../http/feature-plugins.ts';
import type { Feature } from './feature.ts';
import type { Ports } from './ports.ts';

export function createStatisticsFeature(ports: Pick<Ports, 'publicStatistics' | 'capacity' | 'clock'>) {
  const ctx: StatisticsContext = { statistics: ports.publicStatistics, capacity: ports.capacity, clock: ports.clock };
  const useCases = statisticsUseCases(ctx);
  return {
    name: 'statistics',
    useCases,
    routes: lazyPlugin(async () =>
      (await import('../http/routes/public-statistics.ts')).publicStatisticsRoutes(useCases),
    ),
    pages: lazyPlugin(async () => (await import('../http/pages/public-statistics.ts')).publicStatisticsPages(useCases)),
    agentPages: pluginsInTurn(
      lazyPlugin(async () =>
        (await import('../http/pages/agent/national-statistics.ts')).nationalStatisticsPages(useCases),
      ),
      lazyPlugin(async () => (await import('../http/pages/agent/capacity.ts')).capacityPages(useCases)),
    ),
  } satisfies Feature;
}
