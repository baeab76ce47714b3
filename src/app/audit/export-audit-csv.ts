// The audit trail as CSV (RFC 4180) for a spreadsheet: UTF-8 with a BOM (so Excel reads the
// accents), CRLF line ends, every cell quoted when it holds a quote, comma, semicolon or line
// break. Formula injection: a cell starting with = + - @ (or a tab / carriage return) is
// prefixed with a quote, so '=HYPERLINK(…)' stays text. Same scoping as listAudit.
import type { Agent, AgentReaders, AuditEvent } from '../../ports/agent-store.ts';
import { AUDIT_EXPORT_MAX, type AuditFilter, auditPeriod, auditScope } from './list-audit.ts';

const HEADER = [
  'id',
  'at',
  'agent_id',
  'agent_email',
  'prefecture_id',
  'action',
  'target_type',
  'target_id',
  'before',
  'after',
  'ip',
];

export function csvCell(value: unknown): string {
  let text =
    value === null || value === undefined
      ? ''
      : typeof value === 'string'
        ? value
        : value instanceof Date
          ? value.toISOString()
          : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",;\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function auditCsv(events: AuditEvent[]): string {
  const lines = [HEADER.join(',')];
  for (const e of events) {
    lines.push(
      [e.id, e.at, e.agentId, e.agentEmail, e.prefectureId, e.action, e.targetType, e.targetId, e.before, e.after, e.ip]
        .map(csvCell)
        .join(','),
    );
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export async function exportAuditCsv(
  ctx: { agents: Pick<AgentReaders, 'auditTrail' | 'prefectures'> },
  agent: Agent,
  filter: Omit<AuditFilter, 'beforeId'>,
): Promise<{ csv: string; prefectureId: string | null }> {
  const prefectureId = auditScope(agent, filter.prefectureId);
  const { timeZone: _shownIn, ...period } = await auditPeriod(ctx, prefectureId, filter);
  const events = await ctx.agents.auditTrail.list({ prefectureId, limit: AUDIT_EXPORT_MAX, ...period });
  return { csv: auditCsv(events), prefectureId };
}
