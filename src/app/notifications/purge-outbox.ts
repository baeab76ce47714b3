// Messages sent, given up or cancelled are kept a while (what was sent, when), then purged.
import { OUTBOX_RETENTION_MS } from '../../domain/outbox-rules.ts';
import type { Clock } from '../../ports/clock.ts';
import type { OutboxStore } from '../../ports/outbox.ts';

export function purgeOutbox(ctx: { outbox: Pick<OutboxStore, 'purgeFinished'>; clock: Clock }): Promise<number> {
  return ctx.outbox.purgeFinished(new Date(ctx.clock.now().getTime() - OUTBOX_RETENTION_MS));
}
