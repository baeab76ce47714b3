// The pages every footer links to (RGAA and the State's site rules):
//   GET /legal-notice     publisher, hosting, a free service, links, security
//   GET /site-map         every public page, the procedures and each prefecture's draws among them
// (GET /personal-data, whose periods are the purge's, is the retention feature's: http/pages/personal-data.ts.)
// (The accessibility statement, GET /accessibility, is with the other ways in: http/pages/contact.ts.)
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { CatalogueUseCases } from '../../app/catalogue/catalogue-use-cases.ts';
import { translator } from '../../i18n/i18n.ts';
import { languageOf, sendPage } from '../web/render.ts';

export const informationPages =
  (catalogue: Pick<CatalogueUseCases, 'listProcedures' | 'listPrefectures'>): FastifyPluginAsync =>
  async (app) => {
    const t = (request: FastifyRequest) => translator(languageOf(request), 'information');
    app.get('/legal-notice', async (request, reply) =>
      sendPage(request, reply, 'information/legal-notice', { title: t(request)('legal.title') }),
    );
    app.get('/site-map', async (request, reply) =>
      sendPage(request, reply, 'information/site-map', {
        title: t(request)('siteMap.title'),
        procedures: await catalogue.listProcedures(),
        // Each prefecture's public page of draws (http/pages/draws.ts).
        prefectures: await catalogue.listPrefectures(),
      }),
    );
  };
