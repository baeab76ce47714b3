// The day's agenda (inside agentArea: the session is checked).
//   GET /agent/agenda[?site=&date=&counter=]   one site's appointments of a local day (today
//                                              by default), all counters or one; printable
//                                              (the print stylesheet hides the menus and filters).
// Counter agents choose among their sites, supervisors among their prefecture's, administrators
// among all; any other site is FORBIDDEN_SCOPE.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AgendaUseCases } from '../../../app/agenda/agenda-use-cases.ts';
import { DomainError } from '../../../domain/errors.ts';
import { translator } from '../../../i18n/i18n.ts';
import { LocalDate, Slug } from '../../schemas.ts';
import { languageOf } from '../../web/render.ts';
import { agentWith, sendAgentPage } from './agent-area.ts';

export const AgendaQuery = z.object({
  site: Slug.optional(),
  date: LocalDate.optional(),
  counter: Slug.optional(),
});

/** The use case's filter from the (valid) query. */
export const agendaFilterOf = (q: z.infer<typeof AgendaQuery>) => ({
  ...(q.site ? { siteId: q.site } : {}),
  ...(q.date ? { date: q.date } : {}),
  ...(q.counter ? { counterId: q.counter } : {}),
});

/** The query, or VALIDATION_FAILED with each wrong field. */
export function parsed<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new DomainError('VALIDATION_FAILED', undefined, {
      errors: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  return result.data;
}

export const agendaPages =
  (agenda: Pick<AgendaUseCases, 'viewAgenda'>): FastifyPluginAsync =>
  async (app) => {
    const t = (request: FastifyRequest) => translator(languageOf(request), 'agent-agenda');

    app.get('/agent/agenda', async (request, reply) => {
      const agent = agentWith(request, 'agenda.read');
      const view = await agenda.viewAgenda(agent, agendaFilterOf(parsed(AgendaQuery, request.query)));
      const link = (date: string) =>
        `/agent/agenda?${new URLSearchParams({ ...(view.site ? { site: view.site.id } : {}), date, ...(view.counterId ? { counter: view.counterId } : {}) }).toString()}`;
      return sendAgentPage(request, reply, 'agent/agenda/agenda', {
        title: t(request)('agenda.title'),
        view,
        previousHref: link(view.previousDate),
        nextHref: link(view.nextDate),
        todayHref: link(view.today),
      });
    });
  };
