// The national view of the public numbers (issue 17 §3), for national administrators:
//   GET /agent/national-statistics[?sort=&order=]   every prefecture's last complete week, all
//                                                   procedures together, sorted on the server
//                                                   (links in the column headings: no script);
//                                                   the worst median wait first by default
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { StatisticsUseCases } from '../../../app/statistics/statistics-use-cases.ts';
import { INDICATORS, NATIONAL_SORTS } from '../../../domain/public-statistics.ts';
import { translator } from '../../../i18n/i18n.ts';
import { formatFigure } from '../../views/statistics-view.ts';
import { languageOf } from '../../web/render.ts';
import { parsed } from './agenda.ts';
import { agentWith, sendAgentPage } from './agent-area.ts';

const NationalQuery = z.object({
  sort: z.enum(NATIONAL_SORTS).optional(),
  order: z.enum(['asc', 'desc']).optional(),
});

/** The columns shown: the sortable indicators first, then the others of the same list. */
const COLUMNS = INDICATORS.filter((i) => (NATIONAL_SORTS as readonly string[]).includes(i.id)).concat(
  INDICATORS.filter((i) =>
    ['requests_booked', 'slots_offered', 'slots_unused', 'urgent_served_share', 'draws'].includes(i.id),
  ),
);

export const nationalStatisticsPages =
  (statistics: Pick<StatisticsUseCases, 'viewNationalStatistics'>): FastifyPluginAsync =>
  async (app) => {
    app.get('/agent/national-statistics', async (request, reply) => {
      const agent = agentWith(request, 'stats.national');
      const q = parsed(NationalQuery, request.query);
      const view = await statistics.viewNationalStatistics(agent, q);
      const lang = languageOf(request);
      const t = translator(lang);
      // A heading's link sorts by its column; on the current column it reverses the order.
      const sortLink = (sort: string) => {
        const order = view.sort === sort ? (view.order === 'asc' ? 'desc' : 'asc') : sort === 'name' ? 'asc' : 'desc';
        return `/agent/national-statistics?${new URLSearchParams({ sort, order, lang }).toString()}`;
      };
      const heading = (id: string, label: string) => ({
        id,
        label,
        sortable: id === 'name' || (NATIONAL_SORTS as readonly string[]).includes(id),
        href: sortLink(id),
        ariaSort: view.sort === id ? (view.order === 'asc' ? 'ascending' : 'descending') : null,
      });
      return sendAgentPage(request, reply, 'agent/statistics/national', {
        title: t('statistics:national.title'),
        view,
        headings: [
          heading('name', t('statistics:national.prefecture')),
          ...COLUMNS.map((i) => heading(i.id, t(`statistics:indicators.${i.id}.label`))),
        ],
        rows: view.rows.map((r) => ({
          id: r.id,
          name: r.name,
          cells: COLUMNS.map((i) => formatFigure(r.week.figures[i.id]!, i.unit, lang, t)),
        })),
      });
    });
  };
