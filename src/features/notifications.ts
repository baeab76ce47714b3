// Notifications: the outbox worker that sends what the use cases committed (started by
// main.ts), and the purge of finished messages after their retention.
import { notificationUseCases } from '../app/notifications/notification-use-cases.ts';
import type { Config } from '../config.ts';
import type { Feature } from './feature.ts';
import type { Ports } from './ports.ts';

export function createNotificationFeature(
  ports: Pick<Ports, 'outbox' | 'mailer' | 'clock' | 'signer'>,
  config: Pick<Config, 'publicUrl' | 'mail'>,
) {
  const useCases = notificationUseCases({
    outbox: ports.outbox,
    mailer: ports.mailer,
    clock: ports.clock,
    signer: ports.signer,
    publicUrl: config.publicUrl,
    organizer: config.mail.sender,
  });
  return {
    name: 'notifications',
    useCases,
    upkeep: async () => ({ outboxMessages: await useCases.purgeOutbox() }),
  } satisfies Feature;
}
