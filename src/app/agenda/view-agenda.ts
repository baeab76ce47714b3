// The day's agenda of one site (optionally one counter): time, reference, name, procedure,
// channel and status of every appointment not cancelled. The day is the site's local day,
// today by default. A site the agent does not serve is FORBIDDEN_SCOPE, whether it exists
// or not (no probing of other prefectures' site names). An appointment whose person looks
// like someone booked or queued under another identity document is flagged (possibleDuplicate).
import { type AgentScope, can } from '../../domain/agent-rules.ts';
import { addDays } from '../../domain/calendar-date.ts';
import { DomainError } from '../../domain/errors.ts';
import { localDateOf } from '../../domain/local-time.ts';
import type { AgendaEntry, AgendaSite } from '../../ports/agenda-store.ts';
import { possibleDuplicateAppointments } from '../review/likely-duplicates.ts';
import { accessibleSites } from './accessible-sites.ts';
import type { AgendaContext } from './agenda-context.ts';

export interface AgendaFilter {
  siteId?: string;
  /** "2026-06-02"; default: today at the site. */
  date?: string;
  counterId?: string;
}

export interface AgendaView {
  /** What the agent may choose from. */
  sites: AgendaSite[];
  /** null when the agent serves no site at all. */
  site: AgendaSite | null;
  date: string;
  previousDate: string;
  nextDate: string;
  today: string;
  counterId: string | null;
  entries: (AgendaEntry & { possibleDuplicate: boolean })[];
}

export async function viewAgenda(ctx: AgendaContext, agent: AgentScope, filter: AgendaFilter): Promise<AgendaView> {
  if (!can(agent, 'agenda.read')) throw new DomainError('FORBIDDEN_SCOPE');
  const sites = await accessibleSites(ctx, agent);
  const site = filter.siteId !== undefined ? sites.find((s) => s.id === filter.siteId) : sites[0];
  if (filter.siteId !== undefined && !site) throw new DomainError('FORBIDDEN_SCOPE');
  const now = ctx.clock.now();
  const today = site ? localDateOf(now, site.timeZone) : now.toISOString().slice(0, 10);
  const date = filter.date ?? today;
  if (filter.counterId !== undefined && !site?.counters.some((c) => c.id === filter.counterId))
    throw new DomainError('FORBIDDEN_SCOPE');
  const listed = site
    ? await ctx.agenda.listAgenda({
        siteId: site.id,
        date,
        ...(filter.counterId ? { counterId: filter.counterId } : {}),
      })
    : [];
  const flagged =
    site && ctx.review
      ? await possibleDuplicateAppointments(
          { review: ctx.review, clock: ctx.clock },
          agent,
          site.prefectureId,
          listed.map((e) => e.appointmentId),
        )
      : new Set<string>();
  const entries = listed.map((e) => ({ ...e, possibleDuplicate: flagged.has(e.appointmentId) }));
  return {
    sites,
    site: site ?? null,
    date,
    today,
    previousDate: addDays(date, -1),
    nextDate: addDays(date, 1),
    counterId: filter.counterId ?? null,
    entries,
  };
}
