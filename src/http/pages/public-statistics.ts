// The public numbers (issue 17), no script needed:
//   GET /statistiques                                the prefectures, and the open data's links
//   GET /statistiques/:prefectureId[?procedure=]     a year of weekly figures: a chart (SVG) and
//                                                    a table per section, all procedures or one
//   GET /donnees/dictionnaire                        the data dictionary (the JSON one: routes/)
// The language follows ?lang= like every public page; the figures are read from the weekly
// rows the job stored (app/statistics), never computed here.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { StatisticsUseCases } from '../../app/statistics/statistics-use-cases.ts';
import { INDICATORS, OPEN_LICENCE, PRESSURE_INDICATORS } from '../../domain/public-statistics.ts';
import { translator } from '../../i18n/i18n.ts';
import { DepartementCode, Slug } from '../schemas.ts';
import { formatFigure, OPEN_DATA_COLUMNS, statisticsSections } from '../views/statistics-view.ts';
import { languageOf, sendPage } from '../web/render.ts';
import { parsed } from './agent/agenda.ts';

const PrefectureParams = z.object({ prefectureId: DepartementCode });
const PrefectureQuery = z.object({ procedure: z.union([Slug, z.literal('*')]).optional() });

export const publicStatisticsPages =
  (
    statistics: Pick<StatisticsUseCases, 'listStatisticsPrefectures' | 'viewPrefectureStatistics'>,
  ): FastifyPluginAsync =>
  async (app) => {
    const t = (request: FastifyRequest) => translator(languageOf(request), 'statistics');

    app.get('/statistiques', async (request, reply) =>
      sendPage(request, reply, 'statistics/index', {
        title: t(request)('list.title'),
        prefectures: await statistics.listStatisticsPrefectures(),
      }),
    );

    app.get('/statistiques/:prefectureId', async (request, reply) => {
      const { prefectureId } = parsed(PrefectureParams, request.params);
      const { procedure } = parsed(PrefectureQuery, request.query);
      const stats = await statistics.viewPrefectureStatistics({
        prefectureId,
        procedureId: procedure === undefined || procedure === '*' ? null : procedure,
      });
      const lang = languageOf(request);
      const tr = translator(lang);
      const latest = stats.published[stats.published.length - 2]!;
      return sendPage(request, reply, 'statistics/prefecture', {
        title: t(request)('page.title', { prefecture: stats.prefecture.name }),
        stats,
        sections: statisticsSections(stats, lang, tr),
        latest: {
          weekStart: latest.weekStart,
          figures: INDICATORS.map((i) => ({
            label: tr(`statistics:indicators.${i.id}.label`),
            text: formatFigure(latest.figures[i.id]!, i.unit, lang, tr),
          })),
        },
        licence: OPEN_LICENCE,
      });
    });

    app.get('/donnees/dictionnaire', async (request, reply) =>
      sendPage(request, reply, 'statistics/dictionary', {
        title: t(request)('dictionary.title'),
        columns: [...OPEN_DATA_COLUMNS, 'suppressed'],
        indicators: INDICATORS.map((i) => ({ id: i.id, unit: i.unit })),
        pressure: PRESSURE_INDICATORS.map((i) => ({ id: i.id, unit: i.unit })),
        licence: OPEN_LICENCE,
      }),
    );
  };
