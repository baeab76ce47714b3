// Direct booking: free slots, booking, and the appointment a management token opens (view,
// cancel, reschedule) — the public API and pages; the purge of idempotency records.
import type { ApplicantUseCases } from '../app/applicants/applicant-use-cases.ts';
import { bookingUseCases } from '../app/booking/booking-use-cases.ts';
import type { CatalogueUseCases } from '../app/catalogue/catalogue-use-cases.ts';
import type { ConvocationUseCases } from '../app/convocations/convocation-use-cases.ts';
import type { RequestUseCases } from '../app/requests/request-use-cases.ts';
import type { Config } from '../config.ts';
import { type AppContextPorts, appContextOf } from './app-context.ts';
import type { Feature, WebSettings } from './feature.ts';
import type { Ports } from './ports.ts';

export function createBookingFeature(
  ports: AppContextPorts & Pick<Ports, 'freeSlotCache'>,
  config: Pick<Config, 'booking' | 'emailCodes' | 'registry' | 'fraud'>,
  web: WebSettings,
  uses: {
    catalogue: CatalogueUseCases;
    applicants: ApplicantUseCases;
    requests: RequestUseCases;
    convocations: ConvocationUseCases;
  },
) {
  const useCases = bookingUseCases({ ...appContextOf(ports, config), freeSlotCache: ports.freeSlotCache });
  return {
    name: 'booking',
    useCases,
    routes: async (app) => {
      await app.register((await import('../http/routes/slots.ts')).slotRoutes(useCases));
      await app.register((await import('../http/routes/bookings.ts')).bookingRoutes(useCases, uses.applicants));
    },
    pages: async (app) => {
      await app.register((await import('../http/pages/booking.ts')).bookingPages(useCases, uses, web));
      await app.register((await import('../http/pages/manage.ts')).managePages(useCases, uses, web));
      await app.register((await import('../http/pages/reschedule.ts')).reschedulePages(useCases, uses));
    },
    // A booking's first answer (its management token included) is kept a day for retries.
    upkeep: async () => ({ idempotencyRecords: await useCases.purgeIdempotencyRecords() }),
  } satisfies Feature;
}
