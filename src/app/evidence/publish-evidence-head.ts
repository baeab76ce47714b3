// Once a day, the evidence chain's head goes to the outside addresses that keep it
// (EVIDENCE_HEAD_RECIPIENTS): a rewrite of the record then shows against their copy
// (`creneau audit verify --expect-head`). Run by every instance's upkeep: the outbox's dedupe
// key (the day and the address) lets one message per address and day through.
import { localDateOf } from '../../domain/local-time.ts';
import type { Clock } from '../../ports/clock.ts';
import type { EvidenceChainReader } from '../../ports/evidence-chain.ts';
import type { OutboxStore } from '../../ports/outbox.ts';

export interface PublishEvidenceHeadContext {
  evidence: EvidenceChainReader;
  outbox: Pick<OutboxStore, 'enqueue'>;
  clock: Clock;
  recipients: readonly string[];
}

/** The day is Paris's (the ministry's). Returns how many messages it handed the outbox, which keeps one per address and day. */
export async function publishEvidenceHead(ctx: PublishEvidenceHeadContext): Promise<number> {
  if (ctx.recipients.length === 0) return 0;
  const now = ctx.clock.now();
  const day = localDateOf(now, 'Europe/Paris');
  const head = await ctx.evidence.head();
  await ctx.outbox.enqueue(
    ctx.recipients.map((recipient) => ({
      kind: 'evidence-head' as const,
      payload: { seq: head.seq, hash: head.hash, day, takenAt: now.toISOString() },
      recipient,
      language: 'fr' as const,
      dedupeKey: `evidence-head:${day}:${recipient.toLowerCase()}`,
      deliverAfter: now,
    })),
    now,
  );
  return ctx.recipients.length;
}
