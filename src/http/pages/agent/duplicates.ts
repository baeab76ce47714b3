// Likely duplicates (inside agentArea: the session is checked), for supervisors of a
// prefecture and national administrators (who choose a prefecture):
//   GET /agent/duplicates[?prefecture=]   groups of live requests and active appointments
//                                         under different identity documents that look like
//                                         one person, with why; each row links to the
//                                         appointment (check-in screen, agenda of its day)
// Flagged for a look, never refused.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { CatalogueUseCases } from '../../../app/catalogue/catalogue-use-cases.ts';
import { DUPLICATE_GROUPS_MAX } from '../../../app/review/likely-duplicates.ts';
import type { ReviewUseCases } from '../../../app/review/review-use-cases.ts';
import { translator } from '../../../i18n/i18n.ts';
import type { Prefecture } from '../../../ports/booking-store.ts';
import { DepartementCode } from '../../schemas.ts';
import { languageOf } from '../../web/render.ts';
import { parsed } from './agenda.ts';
import { agentWith, sendAgentPage } from './agent-area.ts';

export const DuplicatesQuery = z.object({ prefecture: DepartementCode.optional() });

export const duplicatesPages =
  (
    review: Pick<ReviewUseCases, 'listLikelyDuplicates'>,
    catalogue: Pick<CatalogueUseCases, 'listPrefectures'>,
  ): FastifyPluginAsync =>
  async (app) => {
    const t = (request: FastifyRequest) => translator(languageOf(request), 'agent-review');

    app.get('/agent/duplicates', async (request, reply) => {
      const agent = agentWith(request, 'duplicates.read');
      const query = parsed(DuplicatesQuery, request.query ?? {});
      const list = await review.listLikelyDuplicates(agent, { prefectureId: query.prefecture ?? null });
      const prefectures: Prefecture[] = agent.role === 'admin' ? await catalogue.listPrefectures() : [];
      return sendAgentPage(request, reply, 'agent/review/duplicates', {
        title: t(request)('duplicates.title'),
        query,
        list,
        prefectures,
        max: DUPLICATE_GROUPS_MAX,
      });
    });
  };
