// Convocations: the applicant's signed convocation (public API, and the /manage page through
// the booking feature), and an agent's check of one (app/convocations/verify-convocation.ts).
import { convocationUseCases } from '../app/convocations/convocation-use-cases.ts';
import type { Config } from '../config.ts';
import { lazyPlugin } from '../http/feature-plugins.ts';
import { type AppContextPorts, appContextOf } from './app-context.ts';
import type { Feature } from './feature.ts';
import type { Ports } from './ports.ts';

export function createConvocationFeature(
  ports: AppContextPorts & Pick<Ports, 'convocations' | 'signer'>,
  config: Pick<Config, 'booking' | 'emailCodes' | 'registry'>,
) {
  const useCases = convocationUseCases({
    booking: appContextOf(ports, config),
    convocations: {
      store: ports.convocations,
      signer: ports.signer,
      clock: ports.clock,
      securityEvents: ports.securityEvents,
    },
  });
  return {
    name: 'convocations',
    useCases,
    routes: lazyPlugin(async () => (await import('../http/routes/convocations.ts')).convocationRoutes(useCases)),
  } satisfies Feature;
}
