// The call-back feature's use cases, bound to their ports: the contact page's "be called
// back" form, the agents' queue (list, take or assign, status and note) and the retention purge.
import type { BookingStore } from '../../ports/booking-store.ts';
import type { SecretGenerator } from '../../ports/secrets.ts';
import { bindUseCases } from '../shared/use-cases.ts';
import { assignCallback } from './assign-callback.ts';
import type { CallbackQueueContext } from './callback-queue-context.ts';
import { changeCallbackStatus } from './change-callback-status.ts';
import { listCallbacks } from './list-callbacks.ts';
import { purgeCallbacks } from './purge-callbacks.ts';
import { requestCallback } from './request-callback.ts';
import { viewCallbackConfirmation } from './view-callback-confirmation.ts';

export type CallbackPorts = CallbackQueueContext & {
  store: Pick<BookingStore, 'getPrefecture'>;
  secrets: SecretGenerator;
};

export const callbackUseCases = (ports: CallbackPorts) =>
  bindUseCases(ports, {
    requestCallback,
    viewCallbackConfirmation,
    listCallbacks,
    assignCallback,
    changeCallbackStatus,
    purgeCallbacks,
  });

export type CallbackUseCases = ReturnType<typeof callbackUseCases>;
