// Retention (issue 16, part 5): the daily purge of personal data past its time, elected through
// the database so exactly one instance runs it each day; the legal holds it honours; and the
// personal-data page, which states the periods the purge applies (domain/retention.ts).
import { retentionUseCases } from '../app/retention/retention-use-cases.ts';
import type { Config } from '../config.ts';
import { lazyPlugin } from '../http/feature-plugins.ts';
import type { Feature } from './feature.ts';
import type { Ports } from './ports.ts';

export function createRetentionFeature(ports: Pick<Ports, 'retention' | 'clock'>, config: Config) {
  const useCases = retentionUseCases({ retention: ports.retention, clock: ports.clock, policy: config.retention });
  return {
    name: 'retention',
    useCases,
    pages: lazyPlugin(async () =>
      (await import('../http/pages/personal-data.ts')).personalDataPages(
        config.retention,
        config.emailCodes.ttlMinutes,
      ),
    ),
    // Every instance's upkeep asks; the one elected for the day purges, the others count nothing.
    upkeep: async () => {
      const outcome = await useCases.runRetention();
      if (outcome.status !== 'ran') return {};
      const { held: _held, ...purged } = outcome.report;
      return Object.fromEntries(Object.entries(purged).map(([name, n]) => [`retention.${name}`, n]));
    },
  } satisfies Feature;
}
