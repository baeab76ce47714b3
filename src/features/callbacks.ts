// Call-backs: the contact page's "be called back" form, the agents' queue (pages and API),
// and their purge 90 days after they are closed.
import { callbackUseCases } from '../app/callbacks/callback-use-cases.ts';
import type { CatalogueUseCases } from '../app/catalogue/catalogue-use-cases.ts';
import { agentCallbackPages } from '../http/pages/agent/callbacks.ts';
import { contactPages } from '../http/pages/contact.ts';
import { agentCallbackRoutes } from '../http/routes/agent/callbacks.ts';
import type { Feature, WebSettings } from './feature.ts';
import type { Ports } from './ports.ts';

export function createCallbackFeature(
  ports: Pick<Ports, 'callbacks' | 'agents' | 'bookings' | 'clock' | 'secrets'>,
  uses: { catalogue: CatalogueUseCases },
  web: WebSettings,
) {
  const useCases = callbackUseCases({
    callbacks: ports.callbacks,
    agents: ports.agents,
    store: ports.bookings,
    clock: ports.clock,
    secrets: ports.secrets,
  });
  return {
    name: 'callbacks',
    useCases,
    pages: contactPages(useCases, uses.catalogue, web),
    agentPages: agentCallbackPages(useCases, uses.catalogue),
    agentRoutes: agentCallbackRoutes(useCases),
    // Resolved or unreachable for 90 days: personal data (domain/callback-rules.ts).
    upkeep: async () => ({ callbackRequests: await useCases.purgeCallbacks() }),
  } satisfies Feature;
}
