// The configuration's front page: the prefecture's sites, its draws (the daily time, and the
// cadence of each procedure drawn through the day), and the national settings (procedures'
// release and offer policy, the per-email cap) — read-only for a supervisor, editable by an
// administrator ('settings.national').
import { can } from '../../domain/agent-rules.ts';
import type { Agent } from '../../ports/agent-store.ts';
import type {
  ConfigPrefecture,
  ConfigProcedure,
  ConfigSite,
  DrawCadenceSettings,
  DrawScheduleSettings,
} from '../../ports/configuration-store.ts';
import type { ConfigurationContext } from './configuration-context.ts';
import { prefectureFor } from './configuration-scope.ts';

/** How one procedure done at a counter is drawn in the prefecture: daily (cadence null) or through the day. */
export interface ProcedureDraws {
  procedureId: string;
  cadence: DrawCadenceSettings | null;
}

export interface ConfigurationOverview {
  prefecture: ConfigPrefecture;
  /** The prefectures the agent may choose from (an administrator: all; a supervisor: theirs). */
  prefectures: ConfigPrefecture[];
  sites: ConfigSite[];
  drawSchedule: DrawScheduleSettings;
  /** Every procedure done at a counter (only those are drawn), in the order of `procedures`. */
  draws: ProcedureDraws[];
  procedures: ConfigProcedure[];
  emailCap: number;
  canEditNational: boolean;
}

export async function viewConfiguration(
  ctx: ConfigurationContext<
    'prefectures' | 'sites' | 'drawSchedules' | 'drawCadences' | 'procedures' | 'settings',
    never
  >,
  agent: Agent,
  askedPrefecture: string | null,
): Promise<ConfigurationOverview> {
  const prefecture = await prefectureFor(ctx.store, agent, askedPrefecture);
  const [sites, drawSchedule, cadences, procedures, emailCap, all] = await Promise.all([
    ctx.store.sites.listInPrefecture(prefecture.id),
    ctx.store.drawSchedules.get(prefecture.id),
    ctx.store.drawCadences.listInPrefecture(prefecture.id),
    ctx.store.procedures.list(),
    ctx.store.settings.emailCap(),
    agent.role === 'admin' ? ctx.store.prefectures.list() : Promise.resolve([prefecture]),
  ]);
  const cadenceOf = new Map(cadences.map((c) => [c.procedureId, c]));
  const draws = procedures
    .filter((p) => p.channel === 'appointment')
    .map((p) => ({ procedureId: p.id, cadence: cadenceOf.get(p.id) ?? null }));
  return {
    prefecture,
    prefectures: all,
    sites,
    drawSchedule,
    draws,
    procedures,
    emailCap,
    canEditNational: can(agent, 'settings.national'),
  };
}
