// Review: declared urgencies to confirm or refuse, and likely duplicates (one person under
// several identity documents) — the back-office's lists and their API.
import type { CatalogueUseCases } from '../app/catalogue/catalogue-use-cases.ts';
import { reviewUseCases } from '../app/review/review-use-cases.ts';
import { lazyPlugin, pluginsInTurn } from '../http/feature-plugins.ts';
import type { Feature } from './feature.ts';
import type { Ports } from './ports.ts';

export function createReviewFeature(ports: Pick<Ports, 'review' | 'clock'>, uses: { catalogue: CatalogueUseCases }) {
  const useCases = reviewUseCases({ review: ports.review, clock: ports.clock });
  return {
    name: 'review',
    useCases,
    agentPages: pluginsInTurn(
      lazyPlugin(async () => (await import('../http/pages/agent/urgency.ts')).urgencyPages(useCases, uses.catalogue)),
      lazyPlugin(async () =>
        (await import('../http/pages/agent/duplicates.ts')).duplicatesPages(useCases, uses.catalogue),
      ),
    ),
    agentRoutes: lazyPlugin(async () => (await import('../http/routes/agent/review.ts')).agentReviewRoutes(useCases)),
  } satisfies Feature;
}
