// The notifications' use cases, bound to the delivery context: the outbox worker (every
// instance runs one), one delivery run, and the purge of finished messages.
import { bindUseCases } from '../shared/use-cases.ts';
import { type DeliveryContext, deliverDueMessages, startOutboxWorker } from './deliver-outbox.ts';
import { purgeOutbox } from './purge-outbox.ts';

export const notificationUseCases = (ctx: DeliveryContext) =>
  bindUseCases(ctx, { startOutboxWorker, deliverDueMessages, purgeOutbox });

export type NotificationUseCases = ReturnType<typeof notificationUseCases>;
