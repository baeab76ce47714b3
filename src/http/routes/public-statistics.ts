// The public numbers' open data (issue 17), at stable URLs, under the Etalab Open Licence 2.0:
//   GET /donnees/statistiques/:prefectureId.csv | .json   one prefecture's last year
//   GET /donnees/statistiques.csv | .json                 every prefecture in one file
//   GET /donnees/dictionnaire.json                        the data dictionary (fr and en)
// The licence travels with each file: a Link header (rel="license") on all of them, and
// fields in the JSON. Errors are problem+json: an unknown prefecture is 404
// PREFECTURE_NOT_FOUND, a malformed code or extension 400 VALIDATION_FAILED.
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { StatisticsUseCases } from '../../app/statistics/statistics-use-cases.ts';
import type { OpenData } from '../../app/statistics/view-public-statistics.ts';
import { DEPARTEMENT_CODE_PATTERN } from '../../domain/identifiers.ts';
import { OPEN_LICENCE } from '../../domain/public-statistics.ts';
import { translator } from '../../i18n/i18n.ts';
import { ProblemSchema } from '../schemas.ts';
import { dataDictionary, openDataCsv, openDataJson } from '../views/statistics-view.ts';

const DICTIONARY_URL = '/donnees/dictionnaire.json';
const DataFile = z
  .string()
  .regex(
    new RegExp(`^(${DEPARTEMENT_CODE_PATTERN.source.replace(/^\^|\$$/g, '')})\\.(csv|json)$`),
    'a département code and .csv or .json, such as 93.csv',
  );

function sendData(reply: FastifyReply, data: OpenData, format: 'csv' | 'json', name: string) {
  // Figures change once an hour at most: a shared cache may keep them for five minutes.
  reply
    .header('cache-control', 'public, max-age=300')
    .header('link', `<${OPEN_LICENCE.url}>; rel="license", <${DICTIONARY_URL}>; rel="describedby"`)
    .header('content-disposition', `inline; filename="${name}.${format}"`);
  if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(openDataCsv(data));
  return reply
    .type('application/json; charset=utf-8')
    .send(openDataJson(data, { self: `/donnees/${name}.${format}`, dictionary: DICTIONARY_URL }));
}

export const publicStatisticsRoutes =
  (statistics: Pick<StatisticsUseCases, 'openData'>): FastifyPluginAsyncZod =>
  async (app) => {
    for (const format of ['csv', 'json'] as const)
      app.get(
        `/donnees/statistiques.${format}`,
        {
          schema: {
            tags: ['open data'],
            summary: `Public figures of every prefecture, last year by week (${format.toUpperCase()}, Licence Ouverte 2.0)`,
          },
        },
        async (_request, reply) =>
          sendData(reply, await statistics.openData({ prefectureId: null }), format, 'statistiques'),
      );

    app.get(
      '/donnees/statistiques/:file',
      {
        schema: {
          tags: ['open data'],
          summary: "One prefecture's public figures, last year by week (.csv or .json, Licence Ouverte 2.0)",
          params: z.object({ file: DataFile }),
          response: { 400: ProblemSchema, 404: ProblemSchema },
        },
      },
      async (request, reply) => {
        const [prefectureId, format] = request.params.file.split('.') as [string, 'csv' | 'json'];
        const data = await statistics.openData({ prefectureId });
        return sendData(reply, data, format, `statistiques/${prefectureId}`);
      },
    );

    app.get(
      DICTIONARY_URL,
      { schema: { tags: ['open data'], summary: 'Data dictionary of the public figures (French and English)' } },
      async (_request, reply) =>
        reply
          .header('cache-control', 'public, max-age=3600')
          .header('link', `<${OPEN_LICENCE.url}>; rel="license"`)
          .send(dataDictionary(translator('fr'), translator('en'))),
    );
  };
