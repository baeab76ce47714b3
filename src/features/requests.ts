// Appointment requests (allocation by draws): filing, and what the management token allows
// (view, change, reconfirm, withdraw, the attestation and its public check) — the public
// API and pages; the offer answers of /my-request come from the offers feature.
import type { ApplicantUseCases } from '../app/applicants/applicant-use-cases.ts';
import type { DrawUseCases } from '../app/draws/draw-use-cases.ts';
import type { OfferUseCases } from '../app/offers/offer-use-cases.ts';
import { requestUseCases } from '../app/requests/request-use-cases.ts';
import type { Config } from '../config.ts';
import { lazyPlugin } from '../http/feature-plugins.ts';
import { type AppContextPorts, appContextOf } from './app-context.ts';
import type { Feature, WebSettings } from './feature.ts';
import type { Ports } from './ports.ts';

export function createRequestFeature(
  ports: AppContextPorts & Pick<Ports, 'requests' | 'signer'>,
  config: Pick<Config, 'booking' | 'emailCodes' | 'registry' | 'publicUrl' | 'fraud'>,
  web: WebSettings,
  uses: { applicants: ApplicantUseCases; offers: OfferUseCases; draws: Pick<DrawUseCases, 'pseudonymsOfRequest'> },
) {
  const useCases = requestUseCases({
    ...appContextOf(ports, config),
    requests: ports.requests,
    signer: ports.signer,
    publicUrl: config.publicUrl,
  });
  return {
    name: 'requests',
    useCases,
    routes: lazyPlugin(async () =>
      (await import('../http/routes/requests.ts')).requestRoutes(useCases, uses.applicants),
    ),
    pages: async (app) => {
      await app.register((await import('../http/pages/request.ts')).requestPages(useCases, uses, web));
      await app.register((await import('../http/pages/my-request.ts')).myRequestPages(useCases, uses));
      await app.register((await import('../http/pages/attestation.ts')).attestationPages(useCases));
    },
  } satisfies Feature;
}
