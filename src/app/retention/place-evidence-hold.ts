// A legal hold (`creneau evidence hold`, later the evidence pack): what it names is kept past its
// retention until it is released. Placed by a named agent, audited in the same transaction.
import { normaliseAgentEmail } from '../../domain/agent-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import { type EvidenceHold, holdNamesSomething } from '../../domain/retention.ts';
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
const IP_PREFIX = /^[0-9a-f.:]{2,39}$/i;

function invalid(path: string, message: string): DomainError {
  return new DomainError('VALIDATION_FAILED', message, { errors: [{ path, message }] });
}

export async function placeEvidenceHold(
  ctx: Pick<RetentionContext, 'retention' | 'clock'>,
  input: PlaceHoldInput,
): Promise<EvidenceHold> {
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
  const at = ctx.clock.now();
  return ctx.retention.holdTransaction(async (tx) => {
    const agent = await holdAgent(tx, normaliseAgentEmail(input.by));
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
  });
}
