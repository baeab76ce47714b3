// One counter's configuration: its opening rules (current and to come, and those ended).
import { localDateOf } from '../../domain/local-time.ts';
import type { Agent } from '../../ports/agent-store.ts';
import type {
  ConfigCounter,
  ConfigExceptionalOpening,
  ConfigOpeningRule,
  ConfigProcedure,
  ConfigSite,
} from '../../ports/configuration-store.ts';
import type { ConfigurationContext } from './configuration-context.ts';
import { counterFor } from './configuration-scope.ts';

export interface CounterConfiguration {
  site: ConfigSite;
  counter: ConfigCounter;
  rules: ConfigOpeningRule[];
  /** Exceptional openings from today on. */
  openings: ConfigExceptionalOpening[];
  procedures: ConfigProcedure[];
  schedulable: ConfigProcedure[];
  today: string;
}

export async function viewCounter(
  ctx: ConfigurationContext<
    'counters' | 'sites' | 'prefectures' | 'openingRules' | 'procedures' | 'exceptionalOpenings',
    never
  >,
  agent: Agent,
  counterId: string,
): Promise<CounterConfiguration> {
  const counter = await counterFor(ctx.store, agent, counterId);
  const [site, prefecture, rules, procedures] = await Promise.all([
    ctx.store.sites.get(counter.siteId),
    ctx.store.prefectures.get(counter.prefectureId),
    ctx.store.openingRules.listAtCounter(counter.id),
    ctx.store.procedures.list(),
  ]);
  const today = localDateOf(ctx.clock.now(), prefecture!.timeZone);
  return {
    site: site!,
    counter,
    rules,
    procedures,
    today,
    openings: await ctx.store.exceptionalOpenings.listAtCounterFrom(counter.id, today),
    // What the forms offer: slots only make sense for procedures done by appointment.
    schedulable: procedures.filter((p) => p.channel === 'appointment'),
  };
}
