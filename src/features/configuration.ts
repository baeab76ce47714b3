// Configuration: sites, counters, opening rules, closures, draw schedules and cadences,
// procedure policies and the per-email cap — the back-office's pages and API.
import { configurationUseCases } from '../app/configuration/configuration-use-cases.ts';
import type { Config } from '../config.ts';
import { lazyPlugin } from '../http/feature-plugins.ts';
import type { Feature } from './feature.ts';
import type { Ports } from './ports.ts';

export function createConfigurationFeature(
  ports: Pick<Ports, 'configuration' | 'clock' | 'secrets' | 'hasher'>,
  config: { slots: Pick<Config['slots'], 'horizonDays'> },
) {
  const useCases = configurationUseCases({
    store: ports.configuration,
    clock: ports.clock,
    horizonDays: config.slots.horizonDays,
    secrets: ports.secrets,
    hasher: ports.hasher,
  });
  return {
    name: 'configuration',
    useCases,
    agentPages: lazyPlugin(async () =>
      (await import('../http/pages/agent/configuration.ts')).configurationPages(useCases),
    ),
    agentRoutes: lazyPlugin(async () =>
      (await import('../http/routes/agent/configuration.ts')).configurationApiRoutes(useCases),
    ),
  } satisfies Feature;
}
