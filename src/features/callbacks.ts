// Call-backs: the contact page's "be called back" form, the agents' queue (pages and API),
// and their purge 90 days after they are closed.
import { callbackUseCases } from '../app/callbacks/callback-use-cases.ts';
import type { CatalogueUseCases } from '../app/catalogue/catalogue-use-cases.ts';
import { lazyPlugin } from '../http/feature-plugins.ts';
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
    pages: lazyPlugin(async () =>
      (await import('../http/pages/contact.ts')).contactPages(useCases, uses.catalogue, web),
    ),
    agentPages: lazyPlugin(async () =>
      (await import('../http/pages/agent/callbacks.ts')).agentCallbackPages(useCases, uses.catalogue),
    ),
    agentRoutes: lazyPlugin(async () =>
      (await import('../http/routes/agent/callbacks.ts')).agentCallbackRoutes(useCases),
    ),
    // Resolved or unreachable for 90 days: personal data (domain/callback-rules.ts).
    upkeep: async () => ({ callbackRequests: await useCases.purgeCallbacks() }),
  } satisfies Feature;
}
