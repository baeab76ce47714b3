// Home: pick a procedure and a prefecture; then the procedure's page says what to bring
// and how it is done (appointment, post, online) and, for appointments, where to go next.
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { CatalogueUseCases } from '../../app/catalogue/catalogue-use-cases.ts';
import { DomainError } from '../../domain/errors.ts';
import { translator } from '../../i18n/i18n.ts';
import { languageOf, sendPage } from '../web/render.ts';
import { informationPages } from './information.ts';

const ProcedureQuery = z.object({
  procedure: z.string().max(100).optional(),
  prefecture: z.string().max(3).optional(),
});

export const homePages =
  (catalogue: CatalogueUseCases): FastifyPluginAsync =>
  async (app) => {
    await app.register(informationPages(catalogue));
    app.get('/', async (request, reply) => {
      const [procedures, prefectures] = await Promise.all([catalogue.listProcedures(), catalogue.listPrefectures()]);
      const t = translator(languageOf(request));
      return sendPage(request, reply, 'home', { title: t('home.title'), procedures, prefectures });
    });

    // The home form is a GET: it lands here with ?procedure=…&prefecture=…, a shareable address.
    app.get('/procedure', async (request, reply) => {
      const query = ProcedureQuery.safeParse(request.query);
      if (!query.success || !query.data.procedure) return reply.redirect('/', 303);
      const procedure = await catalogue.getProcedure(query.data.procedure);
      const prefectureId = query.data.prefecture ?? '';
      // Only the sites that offer this procedure (none: the page says it is not offered here).
      const chosen = prefectureId
        ? await catalogue.sitesOffering({ prefectureId, procedureId: procedure.id }).catch((e) => {
            if (e instanceof DomainError) return null;
            throw e;
          })
        : null;
      const t = translator(languageOf(request));
      const name = languageOf(request) === 'fr' ? procedure.nameFr : procedure.nameEn;
      const prefectures = chosen ? [] : await catalogue.listPrefectures();
      return sendPage(request, reply, 'procedure', {
        title: t('procedure.title', { name }),
        procedure,
        prefecture: chosen?.prefecture ?? null,
        sites: chosen?.sites ?? [],
        prefectures,
      });
    });
  };
