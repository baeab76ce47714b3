// `creneau draw …`: run a draw now, or replay a stored one.
//   creneau draw run --prefecture 93 [--procedure premiere-demande]
//       draws now (a manual tick) for one allocation procedure, or for each of the prefecture's;
//   creneau draw replay <drawId>
//       reruns the stored draw from its snapshot and seed; prints "identical: yes" (exit 0) or
//       "identical: no" and the first difference (exit 1).
import type { Command } from 'commander';
import type { DrawRunReport } from '../app/draws/run-draw.ts';
import { withServices } from './with-services.ts';

function describeRun(report: DrawRunReport): string {
  if (report.status === 'already-drawn')
    return `${report.prefectureId}/${report.procedureId}: already drawn for ${report.tick.toISOString()}`;
  return [
    `draw ${report.drawId}  ${report.prefectureId}/${report.procedureId}  tick ${report.tick.toISOString()} (${report.trigger})`,
    `  requests ${report.requestsCount}, free slots ${report.slotsCount}, offers ${report.assignedCount - report.withdrawnCount}` +
      (report.withdrawnCount ? ` (+${report.withdrawnCount} withdrawn meanwhile)` : ''),
    `  seed ${report.seed}`,
    `  input ${report.inputDigest}`,
    `  result ${report.resultDigest}`,
    `  offer emails queued ${report.messagesQueued} (the server's outbox worker sends them)`,
  ].join('\n');
}

export function registerDrawCommand(program: Command): void {
  const draw = program.command('draw').description('run a draw now, or replay a stored draw');

  draw
    .command('run')
    .description("draw now (manual tick) for a prefecture's allocation procedures, or one of them")
    .requiredOption('--prefecture <id>', 'département code, e.g. 93')
    .option('--procedure <id>', 'one allocation procedure (default: each one the prefecture draws for)')
    .option('--json', 'print the reports as JSON')
    .action(async (options: { prefecture: string; procedure?: string; json?: boolean }) => {
      await withServices(async (services) => {
        const reports = await services.features.draws.useCases.drawNow({
          prefectureId: options.prefecture,
          procedureId: options.procedure,
        });
        if (reports.length === 0) {
          console.error(`Prefecture ${options.prefecture} has no procedure allocated by draws.`);
          process.exitCode = 1;
          return;
        }
        console.log(options.json ? JSON.stringify(reports, null, 2) : reports.map(describeRun).join('\n'));
      });
    });

  draw
    .command('replay')
    .description('rerun a stored draw from its snapshot and seed; exit code 0 when identical, 1 otherwise')
    .argument('<drawId>', 'the draw id (UUID)')
    .option('--json', 'print the report as JSON')
    .action(async (drawId: string, options: { json?: boolean }) => {
      await withServices(async (services) => {
        const report = await services.features.draws.useCases.replayDraw(drawId);
        if (options.json) console.log(JSON.stringify(report, null, 2));
        else {
          console.log(`draw ${report.drawId}`);
          console.log(`identical: ${report.identical ? 'yes' : 'no'}`);
          console.log(`  ${report.summary}`);
          console.log(`  stored offers ${report.storedOffers}, replayed assignments ${report.replayedAssignments}`);
        }
        process.exitCode = report.identical ? 0 : 1;
      });
    });
}
