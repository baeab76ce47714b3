// Log-out and the audit trail (inside agentArea: the session is checked; the home, GET /agent,
// is the agenda feature's: http/pages/agent/home.ts).
//   POST /agent/logout          revokes the session → 303 /agent/login
//   GET  /agent/audit           the audit trail: supervisors their prefecture, administrators
//                               any (?prefecture=), counter agents refused (FORBIDDEN_SCOPE);
//                               ?from=&to= (dates, the prefecture's time), ?agent=&action=,
//                               ?before= (paging); agents and targets by name
//   GET  /agent/audit.csv       the same filter, as CSV (times in the prefecture's zone; in
//                               French: semicolons and decimal commas)
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AgentUseCases } from '../../../app/agents/agent-use-cases.ts';
import { DomainError } from '../../../domain/errors.ts';
import { translator } from '../../../i18n/i18n.ts';
import type { WebSettings } from '../../feature-plugins.ts';
import { DepartementCode, LocalDate, Uuid } from '../../schemas.ts';
import { languageOf } from '../../web/render.ts';
import { agentOf, sendAgentPage, sessionOf } from './agent-area.ts';
import { clearAgentCookie, SESSION_COOKIE } from './agent-cookies.ts';
import { originOf } from './login.ts';

const AuditQuery = z.object({
  prefecture: DepartementCode.optional(),
  from: LocalDate.optional(),
  to: LocalDate.optional(),
  agent: Uuid.optional(),
  action: z
    .string()
    .regex(/^[a-z_]+\.[a-z_]+$/)
    .max(60)
    .optional(),
  before: z
    .string()
    .regex(/^\d{1,18}$/)
    .optional(),
});

function auditFilterOf(request: FastifyRequest) {
  const parsed = AuditQuery.safeParse(request.query);
  if (!parsed.success)
    throw new DomainError('VALIDATION_FAILED', undefined, {
      errors: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  const q = parsed.data;
  return {
    query: q,
    filter: {
      prefectureId: q.prefecture ?? null,
      ...(q.from ? { fromDate: q.from } : {}),
      ...(q.to ? { toDate: q.to } : {}),
      ...(q.agent ? { agentId: q.agent } : {}),
      ...(q.action ? { action: q.action } : {}),
      ...(q.before ? { beforeId: q.before } : {}),
    },
  };
}

export const agentBackOfficePages =
  (agents: Pick<AgentUseCases, 'logOut' | 'listAudit' | 'exportAuditCsv'>, web: WebSettings): FastifyPluginAsync =>
  async (app) => {
    const t = (request: FastifyRequest) => translator(languageOf(request), 'agent');

    app.post('/agent/logout', async (request, reply) => {
      await agents.logOut(sessionOf(request), originOf(request));
      clearAgentCookie(reply, web.secureCookies, SESSION_COOKIE, '/agent');
      return reply.redirect('/agent/login', 303);
    });

    app.get('/agent/audit', async (request, reply) => {
      const agent = agentOf(request);
      const { query, filter } = auditFilterOf(request);
      const page = await agents.listAudit(agent, filter);
      const params = new URLSearchParams(
        Object.entries({
          prefecture: query.prefecture,
          from: query.from,
          to: query.to,
          agent: query.agent,
          action: query.action,
        }).filter((e): e is [string, string] => e[1] !== undefined),
      );
      const next = page.nextBeforeId
        ? `/agent/audit?${new URLSearchParams([...params, ['before', page.nextBeforeId]]).toString()}`
        : null;
      return sendAgentPage(request, reply, 'agent/audit', {
        title: t(request)('audit.title'),
        events: page.events,
        prefectureId: page.prefectureId,
        query,
        next,
        csvHref: `/agent/audit.csv${params.size ? `?${params.toString()}` : ''}`,
        timeZone: page.timeZone,
        facets: page.facets,
      });
    });

    app.get('/agent/audit.csv', async (request, reply) => {
      const agent = agentOf(request);
      const { filter } = auditFilterOf(request);
      const { beforeId: _ignored, ...exportFilter } = filter as typeof filter & { beforeId?: string };
      const { csv, prefectureId } = await agents.exportAuditCsv(agent, exportFilter, languageOf(request));
      return reply
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="audit-${prefectureId ?? 'national'}.csv"`)
        .type('text/csv; charset=utf-8')
        .send(csv);
    });
  };
