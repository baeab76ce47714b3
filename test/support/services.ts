// The services tests use, built by the production composition (createPorts, servicesOf) over
// a test database and a test clock: one per database and clock, so that a use case called
// directly and the same use case behind the server share their limits, mail and events.
import type { Db } from '../../src/adapters/db/database.ts';
import { createPorts } from '../../src/composition/create-ports.ts';
import type { WebSettings } from '../../src/features/feature.ts';
import type { Ports } from '../../src/features/ports.ts';
import { type Services, servicesOf } from '../../src/main.ts';
import { silentLogger, testConfig } from './config.ts';
import type { TestClock } from './scenario.ts';

/** The few adapters a test replaces: an in-process SMTP server as mailer, a failing registry… */
export type PortOverrides = Partial<Pick<Ports, 'mailer' | 'registry' | 'securityEvents' | 'limiter'>>;

const cache = new WeakMap<Db, Map<TestClock, Services>>();

/** `web`: production's cookies (Secure) for the pages of a server that tests them; such services are not shared. */
export function testServices(db: Db, clock: TestClock, overrides: PortOverrides = {}, web?: WebSettings): Services {
  const shared = Object.keys(overrides).length === 0 && web === undefined;
  const cached = shared ? cache.get(db)?.get(clock) : undefined;
  if (cached) return cached;
  const config = testConfig();
  const services = servicesOf(config, createPorts(config, db, silentLogger, { clock, overrides }), silentLogger, {
    ...(web ? { web } : {}),
    // /dev/outbox only where a test asks for it (testServer's devOutboxDir).
    devOutboxDir: null,
  });
  if (shared) {
    if (!cache.has(db)) cache.set(db, new Map());
    cache.get(db)!.set(clock, services);
  }
  return services;
}
