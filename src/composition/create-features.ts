// Every feature, built once from the ports and the configuration, in dependency order (a
// feature that shows the catalogue is given the catalogue's use cases). main.ts, the CLI,
// the benchmarks and the tests all build their features here.
import type { Config } from '../config.ts';
import { createAgendaFeature } from '../features/agenda.ts';
import { createAgentChannelFeature } from '../features/agent-channel.ts';
import { createAgentsFeature } from '../features/agents.ts';
import { createCallbackFeature } from '../features/callbacks.ts';
import { createCatalogueFeature } from '../features/catalogue.ts';
import { createConfigurationFeature } from '../features/configuration.ts';
import type { Feature } from '../features/feature.ts';
import type { Ports } from '../features/ports.ts';
import { createReviewFeature } from '../features/review.ts';

export function createFeatures(ports: Ports, config: Config) {
  const catalogue = createCatalogueFeature(ports);
  const callbacks = createCallbackFeature(ports, { catalogue: catalogue.useCases });
  const agents = createAgentsFeature(ports, { catalogue: catalogue.useCases });
  const configuration = createConfigurationFeature(ports, config);
  const agenda = createAgendaFeature(ports);
  const review = createReviewFeature(ports, { catalogue: catalogue.useCases });
  const agentChannel = createAgentChannelFeature(ports, config);
  const all: readonly Feature[] = [catalogue, callbacks, agents, configuration, agenda, review, agentChannel];
  return { catalogue, callbacks, agents, configuration, agenda, review, agentChannel, all };
}

export type Features = ReturnType<typeof createFeatures>;

/** Every feature's housekeeping, one after the other: how many rows each purged, by name. */
export async function upkeepOf(features: readonly Feature[]): Promise<Record<string, number>> {
  const purged: Record<string, number> = {};
  for (const feature of features) if (feature.upkeep) Object.assign(purged, await feature.upkeep());
  return purged;
}
