// Text messages: the route the SMS gateway calls with what people send back (STOP, START).
// Sending goes through the outbox (the notifications feature).
import { smsUseCases } from '../app/sms/sms-use-cases.ts';
import type { Config } from '../config.ts';
import { lazyPlugin } from '../http/feature-plugins.ts';
import type { Feature } from './feature.ts';
import type { Ports } from './ports.ts';

export function createSmsFeature(ports: Pick<Ports, 'smsGuard' | 'hasher' | 'clock'>, config: Pick<Config, 'sms'>) {
  const useCases = smsUseCases({
    guard: ports.smsGuard,
    hasher: ports.hasher,
    clock: ports.clock,
    gatewayKey: config.sms.gatewayKey,
  });
  return {
    name: 'sms',
    useCases,
    routes: lazyPlugin(async () => (await import('../http/routes/sms-inbound.ts')).smsInboundRoutes(useCases)),
  } satisfies Feature;
}
