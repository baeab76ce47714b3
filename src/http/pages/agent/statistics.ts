// No-show statistics (inside agentArea: the session is checked); supervisors and administrators.
//   GET /agent/statistics[?from=&to=&prefecture=]   per site and procedure over local days
//                                                   (default: the last 30 days)
//   GET /agent/statistics.csv                       the same rows, as CSV
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AgendaUseCases } from '../../../app/agenda/agenda-use-cases.ts';
import type { NoShowStatistics } from '../../../app/agenda/no-show-statistics.ts';
import { csvDialectOf, csvDocument } from '../../../app/shared/csv.ts';
import type { Language } from '../../../domain/language.ts';
import { translator } from '../../../i18n/i18n.ts';
import { DepartementCode, LocalDate } from '../../schemas.ts';
import { languageOf } from '../../web/render.ts';
import { parsed } from './agenda.ts';
import { agentWith, sendAgentPage } from './agent-area.ts';

export const StatisticsQuery = z.object({
  prefecture: DepartementCode.optional(),
  from: LocalDate.optional(),
  to: LocalDate.optional(),
});

export const statisticsFilterOf = (q: z.infer<typeof StatisticsQuery>) => ({
  ...(q.prefecture ? { prefectureId: q.prefecture } : {}),
  ...(q.from ? { fromDate: q.from } : {}),
  ...(q.to ? { toDate: q.to } : {}),
});

/**
 * The statistics as CSV (app/shared/csv.ts, like the audit's): one line per site and
 * procedure, the rate a number rounded to 4 decimals — "0,15" in French (semicolons between
 * cells), "0.15" in English.
 */
export function statisticsCsv(stats: NoShowStatistics, language: Language = 'en'): string {
  const header = [
    'prefecture',
    'site_id',
    'site',
    'procedure_id',
    'procedure',
    'due',
    'came',
    'served',
    'no_shows',
    'unmarked',
    'no_show_rate',
  ];
  const rows = stats.rows.map((r) => [
    r.prefectureId,
    r.siteId,
    r.siteName,
    r.procedureId,
    language === 'fr' ? r.procedureNameFr : r.procedureNameEn,
    r.due,
    r.came,
    r.served,
    r.noShows,
    r.unmarked,
    r.rate === null ? '' : Number(r.rate.toFixed(4)),
  ]);
  return csvDocument(header, rows, csvDialectOf(language));
}

export const statisticsPages =
  (agenda: Pick<AgendaUseCases, 'noShowStatistics'>): FastifyPluginAsync =>
  async (app) => {
    const t = (request: FastifyRequest) => translator(languageOf(request), 'agent-agenda');

    app.get('/agent/statistics', async (request, reply) => {
      const agent = agentWith(request, 'stats.read');
      const q = parsed(StatisticsQuery, request.query);
      const stats = await agenda.noShowStatistics(agent, statisticsFilterOf(q));
      const params = new URLSearchParams({
        ...(q.prefecture ? { prefecture: q.prefecture } : {}),
        from: stats.fromDate,
        to: stats.toDate,
      });
      return sendAgentPage(request, reply, 'agent/statistics/statistics', {
        title: t(request)('statistics.title'),
        stats,
        query: q,
        csvHref: `/agent/statistics.csv?${params.toString()}`,
      });
    });

    app.get('/agent/statistics.csv', async (request, reply) => {
      const agent = agentWith(request, 'stats.read');
      const stats = await agenda.noShowStatistics(agent, statisticsFilterOf(parsed(StatisticsQuery, request.query)));
      return reply
        .header('cache-control', 'no-store')
        .header(
          'content-disposition',
          `attachment; filename="no-shows-${stats.prefectureId ?? 'national'}-${stats.fromDate}-${stats.toDate}.csv"`,
        )
        .type('text/csv; charset=utf-8')
        .send(statisticsCsv(stats, languageOf(request)));
    });
  };
