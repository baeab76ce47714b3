// Agenda: the agent's home (today at their sites, call-backs waiting), the day's appointments of a site, check-in at the counter (camera or typed code,
// then arrived / served / no-show) and the no-show statistics (pages, CSV and API) — one
// feature, since all three read the same appointments through the same use-case context.
import type { AgendaContext } from '../app/agenda/agenda-context.ts';
import { agendaUseCases } from '../app/agenda/agenda-use-cases.ts';
import type { CallbackUseCases } from '../app/callbacks/callback-use-cases.ts';
import type { Config } from '../config.ts';
import { lazyPlugin, pluginsInTurn } from '../http/feature-plugins.ts';
import type { Feature } from './feature.ts';
import type { Ports } from './ports.ts';

export function createAgendaFeature(
  ports: Pick<Ports, 'agenda' | 'review' | 'convocations' | 'signer' | 'clock' | 'securityEvents'>,
  uses: { callbacks: CallbackUseCases },
  config?: Pick<Config, 'fraud'>,
) {
  const ctx: AgendaContext = {
    agenda: ports.agenda,
    // Convocations are checked as the public verification does: signature, scope, refusals logged.
    convocations: {
      store: ports.convocations,
      signer: ports.signer,
      clock: ports.clock,
      securityEvents: ports.securityEvents,
    },
    clock: ports.clock,
    review: ports.review,
    ...(config ? { fraud: config.fraud } : {}),
  };
  const useCases = agendaUseCases(ctx);
  return {
    name: 'agenda',
    useCases,
    agentPages: pluginsInTurn(
      lazyPlugin(async () => (await import('../http/pages/agent/home.ts')).agentHomePage(useCases, uses.callbacks)),
      lazyPlugin(async () => (await import('../http/pages/agent/agenda.ts')).agendaPages(useCases)),
      lazyPlugin(async () => (await import('../http/pages/agent/check-in.ts')).checkInPages(useCases)),
      lazyPlugin(async () => (await import('../http/pages/agent/statistics.ts')).statisticsPages(useCases)),
    ),
    agentRoutes: lazyPlugin(async () => (await import('../http/routes/agent/agenda.ts')).agendaApiRoutes(useCases)),
  } satisfies Feature;
}
