// Agents: log-in, the session check the whole back-office sits behind (pages and API),
// log-out, account administration and the audit trail.
import type { AgentContext } from '../app/agents/agent-context.ts';
import { agentUseCases } from '../app/agents/agent-use-cases.ts';
import type { CatalogueUseCases } from '../app/catalogue/catalogue-use-cases.ts';
import type { BackOffice } from '../http/feature-plugins.ts';
import { lazyPlugin } from '../http/feature-plugins.ts';
import type { Feature } from './feature.ts';
import type { Ports } from './ports.ts';

export type AgentPorts = Pick<
  Ports,
  'agents' | 'agentCredentials' | 'clock' | 'secrets' | 'hasher' | 'limiter' | 'securityEvents'
>;

/** What the agent use cases run on (TOTP secrets sealed under IDENTITY_KEY_SECRET by the credentials port). */
export const agentContextOf = (ports: AgentPorts): AgentContext => ({
  agents: ports.agents,
  credentials: ports.agentCredentials,
  clock: ports.clock,
  secrets: ports.secrets,
  hasher: ports.hasher,
  limiter: ports.limiter,
  securityEvents: ports.securityEvents,
});

export function createAgentsFeature(ports: AgentPorts, uses: { catalogue: CatalogueUseCases }) {
  const useCases = agentUseCases(agentContextOf(ports));
  const backOffice: BackOffice = {
    pages: (features, web) =>
      lazyPlugin(async () =>
        (await import('../http/pages/agent/index.ts')).backOfficePages(useCases, uses.catalogue)(features, web),
      ),
    api: (features) =>
      lazyPlugin(async () => (await import('../http/routes/agent/index.ts')).backOfficeApi(useCases)(features)),
  };
  return { name: 'agents', useCases, backOffice } satisfies Feature & { backOffice: BackOffice };
}
