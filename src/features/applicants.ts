// Applicants' checks before an action: the proof-of-work challenge, email codes (the public
// API), the guard the booking and request routes put in front of their use cases, and the
// purge of expired codes, spent solutions and kept answers.
import { applicantUseCases } from '../app/applicants/applicant-use-cases.ts';
import type { EmailCodeDeps } from '../app/applicants/email-verification.ts';
import type { Config } from '../config.ts';
import type { Feature } from './feature.ts';
import type { Ports } from './ports.ts';

/** What sending and checking email codes needs, from the ports and the configuration. */
export function emailCodeDepsOf(
  ports: Pick<Ports, 'emailVerifications' | 'mailer' | 'limiter' | 'securityEvents' | 'clock' | 'secrets' | 'hasher'>,
  config: Pick<Config, 'emailCodes'>,
): EmailCodeDeps {
  return {
    emailVerifications: ports.emailVerifications,
    mailer: ports.mailer,
    limiter: ports.limiter,
    securityEvents: ports.securityEvents,
    clock: ports.clock,
    secrets: ports.secrets,
    hasher: ports.hasher,
    emailCodes: config.emailCodes,
  };
}

export function createApplicantFeature(
  ports: Pick<
    Ports,
    | 'emailVerifications'
    | 'mailer'
    | 'limiter'
    | 'securityEvents'
    | 'clock'
    | 'secrets'
    | 'hasher'
    | 'pow'
    | 'idempotentResponses'
    | 'powReplays'
  >,
  config: Pick<Config, 'emailCodes'>,
) {
  const useCases = applicantUseCases({
    ...emailCodeDepsOf(ports, config),
    pow: ports.pow,
    idempotentResponses: ports.idempotentResponses,
    powReplays: ports.powReplays,
  });
  return {
    name: 'applicants',
    useCases,
    routes: async (app) => {
      await app.register((await import('../http/routes/pow.ts')).powRoutes(useCases));
      await app.register((await import('../http/routes/email-verifications.ts')).emailVerificationRoutes(useCases));
    },
    upkeep: () => useCases.purgeApplicantRecords(),
  } satisfies Feature;
}
