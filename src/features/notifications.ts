// Notifications: the outbox worker that sends what the use cases committed (started by
// main.ts), and the purge of finished messages after their retention.
import { notificationUseCases } from '../app/notifications/notification-use-cases.ts';
import type { Config } from '../config.ts';
import type { Feature } from './feature.ts';
import type { Ports } from './ports.ts';

export function createNotificationFeature(
  ports: Pick<Ports, 'outbox' | 'mailer' | 'emailRenderer' | 'clock' | 'signer' | 'sms' | 'smsGuard' | 'hasher'>,
  config: Pick<Config, 'publicUrl' | 'mail' | 'sms'>,
) {
  const useCases = notificationUseCases({
    outbox: ports.outbox,
    mailer: ports.mailer,
    ...(ports.emailRenderer ? { renderer: ports.emailRenderer } : {}),
    clock: ports.clock,
    signer: ports.signer,
    publicUrl: config.publicUrl,
    organizer: config.mail.sender,
    sms: { sender: ports.sms, guard: ports.smsGuard, hasher: ports.hasher, dailyLimit: config.sms.dailyLimit },
  });
  return {
    name: 'notifications',
    useCases,
    upkeep: async () => ({ outboxMessages: await useCases.purgeOutbox() }),
  } satisfies Feature;
}
