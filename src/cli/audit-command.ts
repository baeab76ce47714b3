// `creneau audit verify [--from DATE] [--expect-head SEQ:HASH] [--json]`: checks the evidence
// chain (app/evidence/verify-evidence-chain.ts); exit code 0 when it holds, 1 at its first break.
import { type Command, InvalidArgumentError } from 'commander';
import type { EvidenceChainReport } from '../app/evidence/verify-evidence-chain.ts';
import { type ChainPoint, parseChainPoint } from '../domain/evidence-chain.ts';
import { withServices } from './with-services.ts';

export function dateArgument(value: string): Date {
  const at = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(value) ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(at.getTime())) throw new InvalidArgumentError('a date (2026-12-01) or an ISO instant');
  return at;
}

function pointArgument(value: string): ChainPoint {
  const point = parseChainPoint(value);
  if (!point) throw new InvalidArgumentError('SEQ:HASH, as GET /api/evidence/head gives it');
  return point;
}

function describe(report: EvidenceChainReport): string {
  const lines = [
    `evidence chain: ${report.ok ? 'intact' : 'BROKEN'}`,
    `  links checked ${report.linksChecked}${report.fromSeq ? ` from ${report.fromSeq}` : ''}${report.linksPurged ? ` (${report.linksPurged} rows purged by recorded purges)` : ''}; head ${report.head.seq}:${report.head.hash}`,
  ];
  const b = report.firstBreak;
  if (b)
    lines.push(
      `  first break: ${b.reason}${b.seq !== null ? ` at link ${b.seq}` : ''}${b.kind ? ` (${b.kind} ${b.refId})` : ''}`,
      `  ${b.detail}`,
    );
  return lines.join('\n');
}

export function registerAuditCommand(program: Command): void {
  program
    .command('audit')
    .description('the tamper-evident record of agent actions, security events and draws')
    .command('verify')
    .description('check the hash chain and every row it records; exit code 0 when intact, 1 at the first break')
    .option('--from <date>', 'check the links recorded from this date on', dateArgument)
    .option(
      '--expect-head <seq:hash>',
      'a head published earlier (GET /api/evidence/head) the chain must still hold',
      pointArgument,
    )
    .option('--json', 'print the report as JSON')
    .action(async (options: { from?: Date; expectHead?: ChainPoint; json?: boolean }) => {
      await withServices(async (services) => {
        const report = await services.features.evidence.useCases.verifyEvidenceChain({
          from: options.from,
          expectHead: options.expectHead,
        });
        console.log(options.json ? JSON.stringify(report, null, 2) : describe(report));
        process.exitCode = report.ok ? 0 : 1;
      });
    });
}
