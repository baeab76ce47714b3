// Likely duplicates (inside agentArea: the session is checked), for supervisors of a
// prefecture and national administrators (who choose a prefecture):
//   GET /agent/duplicates[?prefecture=][&page=]   groups of live requests and active
//                                         appointments under different identity documents
//                                         that look like one person, with why, 20 groups a
//                                         page; each row links to the appointment (check-in
//                                         screen, agenda of its day)
// Flagged for a look, never refused.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { CatalogueUseCases } from '../../../app/catalogue/catalogue-use-cases.ts';
import { DUPLICATE_GROUPS_PER_PAGE, DUPLICATE_RECORDS_SHOWN } from '../../../app/review/likely-duplicates.ts';
import type { ReviewUseCases } from '../../../app/review/review-use-cases.ts';
import { translator } from '../../../i18n/i18n.ts';
import type { Prefecture } from '../../../ports/booking-store.ts';
import { DepartementCode } from '../../schemas.ts';
import { languageOf } from '../../web/render.ts';
import { parsed } from './agenda.ts';
import { agentWith, sendAgentPage } from './agent-area.ts';

export const DuplicatesQuery = z.object({
  prefecture: DepartementCode.optional(),
  page: z.coerce.number().int().min(1).max(100_000).optional(),
});

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
      const list = await review.listLikelyDuplicates(agent, {
        prefectureId: query.prefecture ?? null,
        page: query.page ?? 1,
        pageSize: DUPLICATE_GROUPS_PER_PAGE,
      });
      const prefectures: Prefecture[] = agent.role === 'admin' ? await catalogue.listPrefectures() : [];
      const pageHref = (page: number) =>
        `/agent/duplicates?${new URLSearchParams({ ...(query.prefecture ? { prefecture: query.prefecture } : {}), page: String(page) })}`;
      return sendAgentPage(request, reply, 'agent/review/duplicates', {
        title: t(request)('duplicates.title'),
        query,
        list,
        prefectures,
        previousHref: list.page > 1 ? pageHref(list.page - 1) : null,
        nextHref: list.page < list.pageCount ? pageHref(list.page + 1) : null,
        recordsShown: DUPLICATE_RECORDS_SHOWN,
      });
    });
  };
