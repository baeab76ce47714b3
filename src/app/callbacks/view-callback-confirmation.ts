// The confirmation of a call-back asked for on the contact page: the number that will be
// called, as the person typed it once normalised, and the reference to give the agent.
import type { CallbackConfirmation, CallbackStore } from '../../ports/callback-store.ts';

export function viewCallbackConfirmation(
  ctx: { callbacks: Pick<CallbackStore, 'findWaitingCallback'> },
  reference: string,
): Promise<CallbackConfirmation | null> {
  return ctx.callbacks.findWaitingCallback(reference);
}
