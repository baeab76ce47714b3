// `creneau queue-tally [--repair] [--json]`: checks the waiting queue's tally (migration 0030)
// against the queue itself — what a place in the queue is read from. Exit code 0 when every
// count matches; 1 with the counts that differ. With --repair, the tally is counted again from
// the queue (under its lock: filings wait for the rebuild, a fraction of a second) and the
// command exits 0 once it matches. The triggers keep it exact; this is for a database restored
// in part, or triggers disabled by hand.
import type { Command } from 'commander';
import { queueTallyDrift, rebuildQueueTally, type TallyDrift } from '../adapters/db/queue-tally.ts';
import { withServices } from './with-services.ts';

function describe(drift: TallyDrift[]): string {
  if (drift.length === 0) return 'queue tally: matches the queue';
  const lines = drift
    .slice(0, 20)
    .map(
      (d) =>
        `  ${d.prefectureId}/${d.procedureId} urgency ${d.urgencyDate ?? 'none'} batch ${d.queuedOn}: ${d.counted} waiting, tally says ${d.tallied}`,
    );
  if (drift.length > 20) lines.push(`  … and ${drift.length - 20} more`);
  return [`queue tally: ${drift.length} count(s) differ from the queue`, ...lines].join('\n');
}

export function registerQueueTallyCommand(program: Command): void {
  program
    .command('queue-tally')
    .description(
      'check the counts a place in the queue is read from against the queue; exit code 0 when they match, 1 otherwise',
    )
    .option('--repair', 'count the tally again from the queue when it differs')
    .option('--json', 'print the counts that differ as JSON')
    .action(async (options: { repair?: boolean; json?: boolean }) => {
      await withServices(async (_services, database) => {
        const drift = await queueTallyDrift(database.db);
        const repaired =
          drift.length > 0 && options.repair
            ? { ...(await rebuildQueueTally(database.db)), left: (await queueTallyDrift(database.db)).length }
            : null;
        if (options.json) console.log(JSON.stringify({ drift, repaired }, null, 2));
        else {
          console.log(describe(drift));
          if (repaired)
            console.log(
              `queue tally: counted again, ${repaired.waiting} waiting in ${repaired.batches} batches; ${repaired.left === 0 ? 'it matches the queue' : `${repaired.left} count(s) still differ`}`,
            );
        }
        process.exitCode = (repaired ? repaired.left : drift.length) === 0 ? 0 : 1;
      });
    });
}
