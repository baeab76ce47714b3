// A legal hold (`creneau evidence hold`, later the evidence pack): what it names is kept past its
// retention until it is released. Placed by a named agent, audited in the same transaction.
import { normaliseAgentEmail } from '../../domain/agent-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import { type EvidenceHold, holdNamesSomething } from '../../domain/retention.ts';
import type { Agent } from '../../ports/agent-store.ts';
import type { HoldTransaction } from '../../ports/retention-store.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { holdAgent } from './release-evidence-hold.ts';
import type { RetentionContext } from './retention-context.ts';

export interface PlaceHoldInput {
  /** The work email of the agent who places it. */
  by: string;
  reason: string;
  from?: Date | null;
  to?: Date | null;
  requestIds?: readonly string[];
  appointmentIds?: readonly string[];
  ipPrefixes?: readonly string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const IP_PREFIX = /^[0-9a-f.:]{2,39}$/i;

function invalid(path: string, message: string): DomainError {
  return new DomainError('VALIDATION_FAILED', message, { errors: [{ path, message }] });
}

type HoldSpec = Omit<EvidenceHold, 'id' | 'releasedAt'>;

/** The hold asked for, checked: a reason, a range in order, well-formed ids and prefixes, something named. */
export function validatedHold(input: Omit<PlaceHoldInput, 'by'>): HoldSpec {
  const reason = input.reason.trim();
  if (reason.length < 3 || reason.length > 500) throw invalid('reason', 'a reason of 3 to 500 characters');
  const hold = {
    reason,
    from: input.from ?? null,
    to: input.to ?? null,
    requestIds: input.requestIds ?? [],
    appointmentIds: input.appointmentIds ?? [],
    ipPrefixes: input.ipPrefixes ?? [],
  };
  if (hold.from && hold.to && hold.from >= hold.to) throw invalid('to', 'the end must come after the start');
  for (const id of [...hold.requestIds, ...hold.appointmentIds])
    if (!UUID.test(id)) throw invalid('ids', `not a request or appointment id: ${id}`);
  for (const prefix of hold.ipPrefixes)
    if (!IP_PREFIX.test(prefix)) throw invalid('ipPrefixes', `not an address prefix: ${prefix}`);
  if (!holdNamesSomething(hold)) throw invalid('hold', 'a hold names a time range, ids or address prefixes');
  return hold;
}

/** Writes the hold and its audit event through the caller's transaction (an evidence pack places its own). */
export async function placeHoldIn(
  tx: HoldTransaction,
  agent: Pick<Agent, 'id' | 'prefectureId'>,
  hold: HoldSpec,
  at: Date,
): Promise<EvidenceHold> {
  const placed = await tx.createHold({ ...hold, createdBy: agent.id, at });
  await recordAudit(tx, {
    agent,
    prefectureId: null,
    action: 'evidence_hold.place',
    target: { type: 'evidence_hold', id: placed.id },
    after: {
      ...hold,
      from: hold.from?.toISOString() ?? null,
      to: hold.to?.toISOString() ?? null,
    },
    at,
  });
  return placed;
}

export async function placeEvidenceHold(
  ctx: Pick<RetentionContext, 'retention' | 'clock'>,
  input: PlaceHoldInput,
): Promise<EvidenceHold> {
  const hold = validatedHold(input);
  const at = ctx.clock.now();
  return ctx.retention.holdTransaction(async (tx) =>
    placeHoldIn(tx, await holdAgent(tx, normaliseAgentEmail(input.by)), hold, at),
  );
}
