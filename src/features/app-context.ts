// The booking context most applicant-facing use cases share (catalogue and booking store,
// identity checks, email codes, registry, limits), built from the ports and the configuration.
import type { AppContext } from '../app/shared/context.ts';
import type { Config } from '../config.ts';
import type { Ports } from './ports.ts';

export type AppContextPorts = Pick<
  Ports,
  | 'bookings'
  | 'clock'
  | 'secrets'
  | 'hasher'
  | 'emailVerifications'
  | 'mailer'
  | 'limiter'
  | 'securityEvents'
  | 'registry'
  | 'idempotentResponses'
>;

export function appContextOf(
  ports: AppContextPorts,
  config: Pick<Config, 'booking' | 'emailCodes' | 'registry'> & Partial<Pick<Config, 'fraud'>>,
): AppContext {
  return {
    store: ports.bookings,
    clock: ports.clock,
    secrets: ports.secrets,
    hasher: ports.hasher,
    policy: { maxReschedules: config.booking.maxReschedules },
    emailVerifications: ports.emailVerifications,
    mailer: ports.mailer,
    limiter: ports.limiter,
    securityEvents: ports.securityEvents,
    emailCodes: config.emailCodes,
    registry: ports.registry,
    registryLimits: config.registry,
    idempotentResponses: ports.idempotentResponses,
    ...(config.fraud ? { fraud: config.fraud } : {}),
  };
}
