// The configuration's front page: the prefecture's sites, its draw schedule, and the national
// settings (procedures' release and allocation policy, the per-email cap) — read-only for a
// supervisor, editable by an administrator ('settings.national').
import { can } from '../../domain/agent-rules.ts';
import type { Agent } from '../../ports/agent-store.ts';
import type { ConfigPrefecture, ConfigProcedure, ConfigSite, DrawScheduleSettings } from '../../ports/configuration-store.ts';
import type { ConfigurationContext } from './configuration-context.ts';
import { prefectureFor } from './configuration-scope.ts';

export interface ConfigurationOverview {
  prefecture: ConfigPrefecture;
  /** The prefectures the agent may choose from (an administrator: all; a supervisor: theirs). */
  prefectures: ConfigPrefecture[];
  sites: ConfigSite[];
  drawSchedule: DrawScheduleSettings;
  procedures: ConfigProcedure[];
  emailCap: number;
  canEditNational: boolean;
}

export async function viewConfiguration(ctx: ConfigurationContext, agent: Agent, askedPrefecture: string | null): Promise<ConfigurationOverview> {
  const prefecture = await prefectureFor(ctx.store, agent, askedPrefecture);
  const [sites, drawSchedule, procedures, emailCap, all] = await Promise.all([
    ctx.store.listSites(prefecture.id), ctx.store.getDrawSchedule(prefecture.id), ctx.store.listProcedures(), ctx.store.getEmailCap(),
    agent.role === 'admin' ? ctx.store.listPrefectures() : Promise.resolve([prefecture]),
  ]);
  return { prefecture, prefectures: all, sites, drawSchedule, procedures, emailCap, canEditNational: can(agent, 'settings.national') };
}
