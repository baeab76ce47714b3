// `creneau retention run`: today's retention purge (app/retention/run-retention.ts), as every
// instance's upkeep runs it — if another instance already ran it today, says so and does nothing.
// `creneau evidence hold --by EMAIL --reason TEXT [--from DATE] [--to DATE] [--request ID]…
//   [--appointment ID]… [--ip PREFIX]…`: a legal hold (kept past its retention until released);
// `creneau evidence release ID --by EMAIL`; `creneau evidence holds`. Holds are audited, by the
// agent named with --by.
import type { Command } from 'commander';
import type { EvidenceHold } from '../domain/retention.ts';
import { dateArgument } from './audit-command.ts';
import { registerEvidencePackCommands } from './evidence-command.ts';
import { withServices } from './with-services.ts';

const collect = (value: string, previous: string[]) => [...previous, value];

function describeHold(hold: EvidenceHold): string {
  const names = [
    hold.from || hold.to ? `${hold.from?.toISOString() ?? '…'} to ${hold.to?.toISOString() ?? '…'}` : null,
    ...hold.requestIds.map((id) => `request ${id}`),
    ...hold.appointmentIds.map((id) => `appointment ${id}`),
    ...hold.ipPrefixes.map((prefix) => `address ${prefix}*`),
  ].filter(Boolean);
  const state = hold.releasedAt ? `released ${hold.releasedAt.toISOString()}` : 'active';
  return `hold ${hold.id} (${state}): ${hold.reason} — ${names.join(', ')}`;
}

export function registerRetentionCommands(program: Command): void {
  program
    .command('retention')
    .description('the purge of personal data past its retention (README "Retention")')
    .command('run')
    .description("run today's purge, unless an instance already ran it today")
    .action(async () => {
      await withServices(async (services) => {
        const outcome = await services.features.retention.useCases.runRetention();
        console.log(
          outcome.status === 'ran'
            ? `retention ${outcome.period}: ${JSON.stringify(outcome.report)}`
            : `retention ${outcome.period}: already run today, nothing done`,
        );
      });
    });

  const evidence = program
    .command('evidence')
    .description('evidence packs for a complaint, and legal holds: data kept as evidence past its retention');
  evidence
    .command('hold')
    .description('keep what this names past its retention until released')
    .requiredOption('--by <email>', 'the agent placing the hold (work email)')
    .requiredOption('--reason <text>', 'why: the case, the request it answers')
    .option('--from <date>', 'activity from this date', dateArgument)
    .option('--to <date>', 'activity before this date', dateArgument)
    .option('--request <id>', 'a request id (repeat for several)', collect, [] as string[])
    .option('--appointment <id>', 'an appointment id (repeat for several)', collect, [] as string[])
    .option('--ip <prefix>', 'an address prefix, e.g. 203.0.113. (repeat for several)', collect, [] as string[])
    .action(
      async (options: {
        by: string;
        reason: string;
        from?: Date;
        to?: Date;
        request: string[];
        appointment: string[];
        ip: string[];
      }) => {
        await withServices(async (services) => {
          const hold = await services.features.retention.useCases.placeEvidenceHold({
            by: options.by,
            reason: options.reason,
            from: options.from ?? null,
            to: options.to ?? null,
            requestIds: options.request,
            appointmentIds: options.appointment,
            ipPrefixes: options.ip,
          });
          console.log(describeHold(hold));
        });
      },
    );
  evidence
    .command('release')
    .description('release a hold: what it kept is purged by the next daily run if its time has passed')
    .argument('<id>', 'the hold number')
    .requiredOption('--by <email>', 'the agent releasing it (work email)')
    .action(async (id: string, options: { by: string }) => {
      await withServices(async (services) => {
        console.log(
          describeHold(await services.features.retention.useCases.releaseEvidenceHold({ id, by: options.by })),
        );
      });
    });
  evidence
    .command('holds')
    .description('every hold, active and released')
    .action(async () => {
      await withServices(async (services) => {
        for (const hold of await services.features.retention.useCases.listEvidenceHolds())
          console.log(describeHold(hold));
      });
    });
  registerEvidencePackCommands(evidence);
}
