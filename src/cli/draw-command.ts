// `creneau draw …`: run a draw now, or replay a stored one.
//   creneau draw run --prefecture 93 [--procedure premiere-demande]
//       draws now (a manual tick) for one allocation procedure, or for each of the prefecture's;
//   creneau draw replay <drawId>
//       reruns the stored draw from its snapshot and seed; prints "identical: yes" (exit 0) or
//       "identical: no" and the first difference (exit 1).
import type { Command } from 'commander';
import { createDrawStore } from '../adapters/db/draw-store.ts';
import { allocationContext } from '../app/draws/allocation-context.ts';
import { replayDraw } from '../app/draws/replay-draw.ts';
import { type DrawRunReport, runDrawForTick } from '../app/draws/run-draw.ts';
import { isDomainError } from '../domain/errors.ts';
import { configFromEnvironment, createLogger, prepareDatabase } from '../main.ts';
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
      await withServices(async (services, database) => {
        const draws = createDrawStore(database.db);
        const ctx = allocationContext(services.ctx, draws);
        const procedureIds = options.procedure
          ? [options.procedure]
          : (await draws.queues.listScheduled())
              .filter((p) => p.prefectureId === options.prefecture)
              .map((p) => p.procedureId);
        if (procedureIds.length === 0) {
          console.error(`Prefecture ${options.prefecture} has no procedure allocated by draws.`);
          process.exitCode = 1;
          return;
        }
        const tick = services.ctx.clock.now();
        const reports: DrawRunReport[] = [];
        for (const procedureId of procedureIds) {
          reports.push(
            await runDrawForTick(ctx, { prefectureId: options.prefecture, procedureId, tick, trigger: 'manual' }),
          );
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
      const config = configFromEnvironment();
      const logger = createLogger(config);
      const database = await prepareDatabase(config, logger);
      try {
        const report = await replayDraw({ draws: createDrawStore(database.db) }, drawId);
        if (options.json) console.log(JSON.stringify(report, null, 2));
        else {
          console.log(`draw ${report.drawId}`);
          console.log(`identical: ${report.identical ? 'yes' : 'no'}`);
          console.log(`  ${report.summary}`);
          console.log(`  stored offers ${report.storedOffers}, replayed assignments ${report.replayedAssignments}`);
        }
        process.exitCode = report.identical ? 0 : 1;
      } catch (error) {
        if (!isDomainError(error)) throw error;
        console.error(`${error.code}: ${error.message}`);
        process.exitCode = 1;
      } finally {
        await database.close();
      }
    });
}
