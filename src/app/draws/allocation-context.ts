// What the draw and offer use cases use: ports only, built from the app context plus the
// draw store (wired in main.ts). Their messages (offers, confirmations, closures) go through
// the outbox, written in their own transactions (ports/outbox.ts).

import type { FraudThresholds } from '../../domain/fraud-signals.ts';
import type { Clock } from '../../ports/clock.ts';
import type { DrawReaders, DrawRepositories, DrawStore } from '../../ports/draw-store.ts';
import type { Hasher, SecretGenerator } from '../../ports/secrets.ts';
import type { AppContext } from '../shared/context.ts';

/** Each use case names the readers `R` and repositories `W` of the draw store it uses. */
export interface AllocationContext<
  R extends keyof DrawReaders = keyof DrawReaders,
  W extends keyof DrawRepositories = keyof DrawRepositories,
> {
  draws: DrawStore<R, W>;
  clock: Clock;
  secrets: SecretGenerator;
  hasher: Hasher;
  /** The fraud signals' rules (an ignored offer scores its request again); absent: the defaults. */
  fraud?: FraudThresholds;
}

/** The allocation context over the booking context's clock, secrets and hasher. */
export function allocationContext(ctx: AppContext, draws: DrawStore): AllocationContext {
  return {
    draws,
    clock: ctx.clock,
    secrets: ctx.secrets,
    hasher: ctx.hasher,
    ...(ctx.fraud ? { fraud: ctx.fraud } : {}),
  };
}
