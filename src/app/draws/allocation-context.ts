// What the draw and offer use cases use: ports only, built from the app context plus the
// draw store (wired in main.ts). Their messages (offers, confirmations, closures) go through
// the outbox, written in their own transactions (ports/outbox.ts).

import type { Clock } from '../../ports/clock.ts';
import type { DrawStore } from '../../ports/draw-store.ts';
import type { Hasher, SecretGenerator } from '../../ports/secrets.ts';
import type { AppContext } from '../shared/context.ts';

export interface AllocationContext {
  draws: DrawStore;
  clock: Clock;
  secrets: SecretGenerator;
  hasher: Hasher;
}

/**
 * `_formerMailErrorHandler` is ignored: messages no longer go out after the commit but through
 * the outbox worker, which logs its own failures. (Kept while callers still pass it.)
 */
export function allocationContext(
  ctx: AppContext,
  draws: DrawStore,
  _formerMailErrorHandler?: (error: unknown) => void,
): AllocationContext {
  return { draws, clock: ctx.clock, secrets: ctx.secrets, hasher: ctx.hasher };
}
