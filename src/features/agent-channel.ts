// The agent channel: an agent books a slot of the reserve or files a request for a caller
// (by phone or at the counter) — the booking and request use cases, minus the email code.
import { agentChannelUseCases } from '../app/agent-channel/agent-channel-use-cases.ts';
import type { Config } from '../config.ts';
import { lazyPlugin, pluginsInTurn } from '../http/feature-plugins.ts';
import { type AppContextPorts, appContextOf } from './app-context.ts';
import type { Feature } from './feature.ts';
import type { Ports } from './ports.ts';

export function createAgentChannelFeature(
  ports: AppContextPorts & Pick<Ports, 'requests' | 'signer' | 'callerSearch' | 'callbacks'>,
  config: Pick<Config, 'booking' | 'emailCodes' | 'registry' | 'fraud'>,
) {
  const useCases = agentChannelUseCases({
    ...appContextOf(ports, config),
    requests: ports.requests,
    signer: ports.signer,
    callerSearch: ports.callerSearch,
    callbacks: ports.callbacks,
  });
  return {
    name: 'agent-channel',
    useCases,
    agentPages: pluginsInTurn(
      lazyPlugin(async () => (await import('../http/pages/agent/on-behalf.ts')).agentOnBehalfPages(useCases)),
      lazyPlugin(async () => (await import('../http/pages/agent/search.ts')).agentSearchPages(useCases)),
    ),
    agentRoutes: lazyPlugin(async () =>
      (await import('../http/routes/agent/on-behalf.ts')).agentOnBehalfRoutes(useCases),
    ),
  } satisfies Feature;
}
