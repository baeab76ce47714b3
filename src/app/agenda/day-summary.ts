// The agent's home (issue 15, Agents 10): today at each of their sites, in numbers — the
// appointments of the day (not cancelled), how many people arrived (or were served), how many
// did not come (no-show), how many are still expected — each site by its name and its own
// local day. A national administrator sees the first DAY_SUMMARY_SITES sites and how many more.

import type { AppointmentStatus } from '../../domain/agenda-rules.ts';
import { type AgentScope, can } from '../../domain/agent-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import { localDateOf } from '../../domain/local-time.ts';
import type { AgendaSite } from '../../ports/agenda-store.ts';
import { accessibleSites } from './accessible-sites.ts';
import type { AgendaContext } from './agenda-context.ts';

/** At most this many sites summed up on the home page (a supervisor's prefecture has a handful). */
export const DAY_SUMMARY_SITES = 12;

export interface SiteDay {
  site: AgendaSite;
  /** The site's local day, "2026-06-02". */
  date: string;
  appointments: number;
  /** Arrived or already served. */
  arrived: number;
  noShows: number;
  /** Booked, not arrived yet. */
  expected: number;
}

export interface DaySummary {
  sites: SiteDay[];
  /** Sites the agent serves beyond those summed up. */
  moreSites: number;
}

/** The counts of one day's appointments by what happened (cancelled ones are not on the agenda). */
export function countDay(statuses: readonly AppointmentStatus[]): Omit<SiteDay, 'site' | 'date'> {
  const count = (...wanted: AppointmentStatus[]) => statuses.filter((s) => wanted.includes(s)).length;
  return {
    appointments: count('booked', 'arrived', 'served', 'no_show'),
    arrived: count('arrived', 'served'),
    noShows: count('no_show'),
    expected: count('booked'),
  };
}

export async function daySummary(ctx: AgendaContext, agent: AgentScope): Promise<DaySummary> {
  if (!can(agent, 'agenda.read')) throw new DomainError('FORBIDDEN_SCOPE');
  const sites = await accessibleSites(ctx, agent);
  const now = ctx.clock.now();
  const summed: SiteDay[] = [];
  for (const site of sites.slice(0, DAY_SUMMARY_SITES)) {
    const date = localDateOf(now, site.timeZone);
    const entries = await ctx.agenda.listAgenda({ siteId: site.id, date });
    summed.push({ site, date, ...countDay(entries.map((e) => e.status)) });
  }
  return { sites: summed, moreSites: Math.max(0, sites.length - DAY_SUMMARY_SITES) };
}
