// The evidence pack for a complaint (issue 16, part 4; README "Evidence for a complaint"):
//   creneau evidence export --prefecture ID --from DATE --to DATE [--request ID]… [--appointment ID]…
//       [--ip PREFIX]… --by EMAIL --reason TEXT --out FILE.zip
//     writes the signed pack, places a legal hold on what it holds and audits the export (the
//     agent named with --by, who must be allowed to: a supervisor of that prefecture, an admin);
//   creneau evidence verify-pack FILE.zip [--public-key FILE.pem] [--json]
//     checks the pack alone (no database): the manifest's signature (with the key given, or this
//     server's), every file's hash, events.csv against events.json, the chain's links; exit 0
//     "intact", or 1 naming each file at fault;
//   creneau evidence public-key   prints the public key packs are signed with (PEM).
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { keyIdOfPem, signerFromConfig } from '../adapters/ed25519-signer.ts';
import { evidencePackFormat } from '../adapters/evidence/evidence-pack-format.ts';
import { type PackReport, verifyEvidencePack } from '../app/evidence/verify-evidence-pack.ts';
import { configFromEnvironment } from '../main.ts';
import { dateArgument } from './audit-command.ts';
import { withServices } from './with-services.ts';

const collect = (value: string, previous: string[]) => [...previous, value];

function describeReport(report: PackReport): string {
  const m = report.manifest;
  const lines = [`evidence pack: ${report.ok ? 'intact' : 'NOT INTACT'}`];
  if (m)
    lines.push(
      `  ${m.scope.prefectureName} (${m.scope.prefectureId}), ${m.scope.from} to ${m.scope.to}; made ${m.createdAt} by ${m.createdBy.email}`,
      `  ${m.files.length} files in the manifest, ${report.events} events, ${report.links} links up to the head ${m.chainHead.seq}:${m.chainHead.hash}`,
      `  signature: Ed25519, checked with the key ${report.keyId} (the pack names ${m.signature.keyId})`,
    );
  for (const { file, problem } of report.problems) lines.push(`  ${file}: ${problem}`);
  return lines.join('\n');
}

/** The pack's commands, in the `evidence` group (src/cli/retention-command.ts). */
export function registerEvidencePackCommands(evidence: Command): void {
  evidence
    .command('export')
    .description('write the signed evidence pack of a period of a prefecture; places a legal hold, audited')
    .requiredOption('--prefecture <id>', 'the prefecture (département code)')
    .requiredOption('--from <date>', 'from this date (UTC)', dateArgument)
    .requiredOption('--to <date>', 'before this date (UTC)', dateArgument)
    .option('--request <id>', 'a request id (repeat for several)', collect, [] as string[])
    .option('--appointment <id>', 'an appointment id (repeat for several)', collect, [] as string[])
    .option('--ip <prefix>', 'an address prefix, e.g. 203.0.113. (repeat for several)', collect, [] as string[])
    .requiredOption('--by <email>', 'the agent exporting it (work email)')
    .requiredOption('--reason <text>', 'why: the complaint, the prosecutor')
    .requiredOption('--out <file>', 'the ZIP to write')
    .action(
      async (options: {
        prefecture: string;
        from: Date;
        to: Date;
        request: string[];
        appointment: string[];
        ip: string[];
        by: string;
        reason: string;
        out: string;
      }) => {
        await withServices(async (services) => {
          const pack = await services.features.evidence.useCases.exportEvidencePack({
            by: { email: options.by },
            prefectureId: options.prefecture,
            from: options.from,
            to: options.to,
            requestIds: options.request,
            appointmentIds: options.appointment,
            ipPrefixes: options.ip,
            reason: options.reason,
          });
          writeFileSync(options.out, pack.bytes);
          const counts = Object.entries(pack.counts)
            .map(([kind, n]) => `${kind} ${n}`)
            .join(', ');
          console.log(
            [
              `evidence pack written: ${options.out} (${pack.bytes.length} bytes)`,
              `  ${counts}`,
              `  manifest.json sha256 ${pack.manifestSha256}`,
              `  hold ${pack.hold.id} placed (release it when the complaint is dealt with: creneau evidence release ${pack.hold.id} --by EMAIL)`,
              `  check it: creneau evidence verify-pack ${options.out}`,
            ].join('\n'),
          );
        });
      },
    );

  evidence
    .command('verify-pack')
    .description('check an evidence pack (no database): signature, hashes, events, chain links; exit 1 when not intact')
    .argument('<file>', 'the pack (ZIP)')
    .option('--public-key <file>', "the published public key (PEM); default: this server's")
    .option('--json', 'print the report as JSON')
    .action((file: string, options: { publicKey?: string; json?: boolean }) => {
      // The investigator's copy has no server: with --public-key, no configuration is read.
      const given = options.publicKey ? readFileSync(options.publicKey, 'utf8') : null;
      const signer =
        given !== null
          ? { publicKeyPem: given, keyId: `${keyIdOfPem(given) ?? 'unreadable'} (--public-key)` }
          : signerFromConfig(configFromEnvironment());
      const report = verifyEvidencePack(
        { format: evidencePackFormat, signer },
        { zip: new Uint8Array(readFileSync(file)) },
      );
      console.log(options.json ? JSON.stringify({ ...report, manifest: undefined }, null, 2) : describeReport(report));
      if (!report.ok) process.exitCode = 1;
    });

  evidence
    .command('public-key')
    .description('print the public key evidence packs and convocations are signed with (PEM)')
    .action(() => {
      const signer = signerFromConfig(configFromEnvironment());
      process.stdout.write(signer.publicKeyPem);
    });
}
