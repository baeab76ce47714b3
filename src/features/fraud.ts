// Fraud signals and review (issue 16 §3): the supervisors' page /agent/fraud (signals over time,
// held requests and flagged appointments, each case with its evidence, clear or refuse). The
// signals themselves are computed by the filing, booking, cancellation, offer and check-in use
// cases, in their own transactions (app/fraud/score-requests.ts).
import type { CatalogueUseCases } from '../app/catalogue/catalogue-use-cases.ts';
import { fraudUseCases } from '../app/fraud/fraud-use-cases.ts';
import type { Config } from '../config.ts';
import { lazyPlugin } from '../http/feature-plugins.ts';
import type { Feature } from './feature.ts';
import type { Ports } from './ports.ts';

export function createFraudFeature(
  ports: Pick<Ports, 'fraud' | 'clock'>,
  config: Pick<Config, 'fraud'>,
  uses: { catalogue: CatalogueUseCases },
) {
  const useCases = fraudUseCases({ fraud: ports.fraud, clock: ports.clock, thresholds: config.fraud });
  return {
    name: 'fraud',
    useCases,
    agentPages: lazyPlugin(async () =>
      (await import('../http/pages/agent/fraud.ts')).fraudPages(useCases, uses.catalogue),
    ),
    // Holds past their lapse are already out of effect in the draws; the upkeep records them
    // (audited) even if no supervisor opens the list.
    upkeep: async () => ({ fraudHoldsLapsed: await useCases.noteLapsedHolds(null) }),
  } satisfies Feature;
}
