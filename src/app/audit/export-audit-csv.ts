// The audit trail as CSV for a spreadsheet (app/shared/csv.ts: BOM, CRLF, escaped cells,
// defused formulas; in French a semicolon between cells). Times are written like the screen
// shows them: in the prefecture's own zone (metropolitan time for national events), with
// the zone in its own column — "2026-06-01 05:00:00;America/Cayenne". Agents and targets by
// name (the ids stay, for tools). Same scoping and filter as listAudit.
import type { Language } from '../../domain/language.ts';
import { localDateTimeText } from '../../domain/local-time.ts';
import type { Agent, AgentReaders, AuditEvent } from '../../ports/agent-store.ts';
import { csvDialectOf, csvDocument } from '../shared/csv.ts';
import { AUDIT_EXPORT_MAX, type AuditFilter, auditNarrowing, auditPeriod, auditScope } from './list-audit.ts';

export { csvCell } from '../shared/csv.ts';

const HEADER = [
  'id',
  'at',
  'time_zone',
  'agent',
  'agent_email',
  'agent_id',
  'prefecture_id',
  'action',
  'target_type',
  'target',
  'target_id',
  'before',
  'after',
  'ip',
];

export function auditCsv(events: AuditEvent[], language: Language = 'en'): string {
  return csvDocument(
    HEADER,
    events.map((e) => [
      e.id,
      localDateTimeText(e.at, e.timeZone),
      e.timeZone,
      e.agentName,
      e.agentEmail,
      e.agentId,
      e.prefectureId,
      e.action,
      e.targetType,
      e.targetLabel,
      e.targetId,
      e.before,
      e.after,
      e.ip,
    ]),
    csvDialectOf(language),
  );
}

export async function exportAuditCsv(
  ctx: { agents: Pick<AgentReaders, 'auditTrail' | 'prefectures'> },
  agent: Agent,
  filter: Omit<AuditFilter, 'beforeId'>,
  language: Language = 'en',
): Promise<{ csv: string; prefectureId: string | null }> {
  const prefectureId = auditScope(agent, filter.prefectureId);
  const { timeZone: _shownIn, ...period } = await auditPeriod(ctx, prefectureId, filter);
  const events = await ctx.agents.auditTrail.list({
    prefectureId,
    limit: AUDIT_EXPORT_MAX,
    ...period,
    ...auditNarrowing(filter),
  });
  return { csv: auditCsv(events, language), prefectureId };
}
