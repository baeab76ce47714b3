// `creneau draw …`: run a draw now, or replay a stored one.
//   creneau draw run --prefecture 93 [--procedure premiere-demande]
//       draws now (a manual tick) for one allocation procedure, or for each of the prefecture's;
//   creneau draw replay <drawId>
//       reruns the stored draw from its snapshot and seed; prints "identical: yes" (exit 0) or
//       "identical: no" and the first difference (exit 1);
//   creneau draw export <drawId> [--out FILE]
//       writes the draw as published (creneau-draw-publication/1: what /tirages/… offers to download);
//   creneau draw verify FILE [--commitment HEX]
//       recomputes a published draw from the file alone (no database): prints "matches: yes"
//       (exit 0) or "matches: no" and the first mismatch (exit 1).
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Command } from 'commander';
import type { DrawRunReport } from '../app/draws/run-draw.ts';
import { parsePublishedDraw, verifyPublishedDraw } from '../domain/draw-commitment.ts';
import { isDomainError } from '../domain/errors.ts';
import { withServices } from './with-services.ts';

function describeRun(report: DrawRunReport): string {
  if (report.status === 'already-drawn')
    return `${report.prefectureId}/${report.procedureId}: already drawn for ${report.tick.toISOString()}`;
  return [
    `draw ${report.drawId}  ${report.prefectureId}/${report.procedureId}  tick ${report.tick.toISOString()} (${report.trigger})`,
    `  requests ${report.requestsCount}, free slots ${report.slotsCount}, offers ${report.assignedCount - report.withdrawnCount}` +
      (report.withdrawnCount ? ` (+${report.withdrawnCount} withdrawn meanwhile)` : ''),
    `  commitment ${report.commitment} (${report.committedInAdvance ? 'made before the tick' : 'made at the draw: no advance commitment'})`,
    `  closing ${report.closingDigest}`,
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

  draw
    .command('export')
    .description('write a finished draw as published (pseudonymised input, result, commitment and secret)')
    .argument('<drawId>', 'the draw id (UUID)')
    .option('--out <file>', 'write there instead of the standard output')
    .action(async (drawId: string, options: { out?: string }) => {
      await withServices(async (services) => {
        const published = await services.features.draws.useCases.publishedDraw(null, drawId);
        const text = `${JSON.stringify(published)}\n`;
        if (options.out) writeFileSync(options.out, text);
        else process.stdout.write(text);
      });
    });

  draw
    .command('verify')
    .description('recompute a published draw from its file alone; exit code 0 when it matches, 1 otherwise')
    .argument('<file>', 'the file downloaded from /tirages/… (JSON, or gzipped JSON)')
    .option('--commitment <hex>', 'the commitment you saw published before the draw')
    .option('--json', 'print the report as JSON')
    .action((file: string, options: { commitment?: string; json?: boolean }) => {
      const bytes = readFileSync(file);
      // gzip's magic number: the file may be stored compressed.
      const gzipped = bytes[0] === 0x1f && bytes[1] === 0x8b;
      let text: string;
      try {
        text = (gzipped ? gunzipSync(bytes) : bytes).toString('utf8');
      } catch {
        console.log('matches: no\n  Not a published draw: a gzip file, but damaged');
        process.exitCode = 1;
        return;
      }
      let report: ReturnType<typeof verifyPublishedDraw>;
      let published: ReturnType<typeof parsePublishedDraw>;
      try {
        published = parsePublishedDraw(text);
        report = verifyPublishedDraw(published, options.commitment ? { expectedCommitment: options.commitment } : {});
      } catch (error) {
        if (!isDomainError(error)) throw error;
        console.log(`matches: no\n  ${error.message}`);
        process.exitCode = 1;
        return;
      }
      if (options.json) console.log(JSON.stringify(report, null, 2));
      else {
        console.log(
          `draw ${published.drawId}  ${published.prefectureId}/${published.procedureId}  tick ${published.tick}`,
        );
        console.log(`  commitment ${published.commitment} (made ${published.committedAt})`);
        console.log(`  secret     ${published.secret}`);
        console.log(`  closing    ${published.closingDigest}`);
        console.log(`  seed       ${published.seed}`);
        console.log(
          `  requests ${published.requests.length}, slots ${published.slots.length}, offers ${published.result.length}`,
        );
        for (const check of report.checks) console.log(`  ${check.ok ? 'ok  ' : 'FAIL'} ${check.name}`);
        console.log(`matches: ${report.matches ? 'yes' : 'no'}`);
        if (report.mismatch) console.log(`  ${report.mismatch}`);
      }
      process.exitCode = report.matches ? 0 : 1;
    });
}
