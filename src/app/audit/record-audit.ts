// Appends one audit event through the transaction of the change it describes: the event
// commits with the change or not at all. Every agent use case calls it — later ones too
// (configuration, agenda, call-backs), through their own transaction's writer.
import type { Agent } from '../../ports/agent-store.ts';
import type { AuditWriter } from '../../ports/audit-trail.ts';

export interface AuditedAction {
  /** Who acted; null for the system or an unknown person (a failed log-in). */
  agent: Pick<Agent, 'id' | 'prefectureId'> | null;
  /** The prefecture whose audit shows it; defaults to the agent's (null: national). */
  prefectureId?: string | null;
  /** "<object>.<verb>", e.g. "agent.disable", "opening_rule.update". */
  action: string;
  target?: { type: string; id: string };
  before?: unknown;
  after?: unknown;
  ip?: string | null;
  at: Date;
}

export async function recordAudit(tx: AuditWriter, event: AuditedAction): Promise<void> {
  await tx.insertAuditEvent({
    at: event.at,
    agentId: event.agent?.id ?? null,
    prefectureId: event.prefectureId !== undefined ? event.prefectureId : (event.agent?.prefectureId ?? null),
    action: event.action,
    targetType: event.target?.type ?? null,
    targetId: event.target?.id ?? null,
    before: event.before ?? null,
    after: event.after ?? null,
    ip: event.ip ?? null,
  });
}
