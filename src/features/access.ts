// The way back in (issue 15, Applicants 1): reference + birth date + a code sent to the
// address on file opens an appointment or a request on this device (/manage/find).
import { accessUseCases } from '../app/access/access-use-cases.ts';
import type { ApplicantUseCases } from '../app/applicants/applicant-use-cases.ts';
import type { BookingUseCases } from '../app/booking/booking-use-cases.ts';
import type { RequestUseCases } from '../app/requests/request-use-cases.ts';
import type { Config } from '../config.ts';
import { emailCodeDepsOf } from './applicants.ts';
import type { Feature, WebSettings } from './feature.ts';
import type { Ports } from './ports.ts';

export function createAccessFeature(
  ports: Pick<
    Ports,
    'access' | 'emailVerifications' | 'mailer' | 'limiter' | 'securityEvents' | 'clock' | 'secrets' | 'hasher'
  >,
  config: Pick<Config, 'emailCodes'>,
  web: WebSettings,
  uses: { applicants: ApplicantUseCases; booking: BookingUseCases; requests: RequestUseCases },
) {
  const useCases = accessUseCases({ access: ports.access, ...emailCodeDepsOf(ports, config) });
  return {
    name: 'access',
    useCases,
    pages: async (app) => {
      await app.register((await import('../http/pages/way-back-in.ts')).wayBackInPages(useCases, uses, web));
    },
  } satisfies Feature;
}
