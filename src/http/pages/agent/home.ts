// The agent's home (inside agentArea: the session is checked):
//   GET /agent   who I am, today at my sites (appointments, arrived, no-shows, still
//                expected — each site by name, linked to its agenda), the call-backs
//                waiting in my queue, and my tools
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { AgendaUseCases } from '../../../app/agenda/agenda-use-cases.ts';
import type { CallbackUseCases } from '../../../app/callbacks/callback-use-cases.ts';
import { can } from '../../../domain/agent-rules.ts';
import { translator } from '../../../i18n/i18n.ts';
import { languageOf } from '../../web/render.ts';
import { agentOf, sendAgentPage } from './agent-area.ts';

/** How many waiting call-backs the home counts exactly; beyond, "50 or more". */
const CALLBACKS_COUNTED = 50;

export const agentHomePage =
  (
    agenda: Pick<AgendaUseCases, 'daySummary'>,
    callbacks: Pick<CallbackUseCases, 'listCallbacks'>,
  ): FastifyPluginAsync =>
  async (app) => {
    const t = (request: FastifyRequest) => translator(languageOf(request), 'agent');

    app.get('/agent', async (request, reply) => {
      const agent = agentOf(request);
      const summary = can(agent, 'agenda.read') ? await agenda.daySummary(agent) : null;
      const waiting = can(agent, 'callbacks.handle')
        ? await callbacks.listCallbacks(agent, {
            prefectureId: null,
            status: 'to_call',
            mine: false,
            limit: CALLBACKS_COUNTED,
          })
        : null;
      return sendAgentPage(request, reply, 'agent/home', {
        title: t(request)('home.title'),
        summary: summary && {
          ...summary,
          sites: summary.sites.map((day) => ({
            ...day,
            agendaHref: `/agent/agenda?${new URLSearchParams({ site: day.site.id }).toString()}`,
          })),
        },
        callbacksWaiting: waiting && { count: waiting.items.length, more: waiting.next !== null },
      });
    });
  };
