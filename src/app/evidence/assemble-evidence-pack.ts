// The files of an evidence pack for a scope, as of `at` (domain/evidence-pack.ts): read, sorted,
// written, listed in the signed manifest, zipped. Writes nothing to the database: the same
// database state and instant give the same bytes (two exports can be compared).
import { DomainError } from '../../domain/errors.ts';
import {
  chainJson,
  countEvents,
  eventsCsv,
  eventsJson,
  LINK_RULE,
  manifestFile,
  manifestJson,
  PACK_FORMAT,
  type PackEvent,
  type PackManifest,
  type PackScope,
  packFileName,
  sha256Hex,
  sha256Sums,
  sortPackEvents,
} from '../../domain/evidence-pack.ts';
import { guideEn, guideFr, summaryLinesFr } from '../../domain/evidence-pack-guide.ts';
import type { PackAgent } from '../../ports/evidence-pack.ts';
import type { EvidencePackContext } from './evidence-pack-context.ts';

export interface AssembledPack {
  fileName: string;
  /** The ZIP. */
  bytes: Uint8Array;
  manifest: PackManifest;
  manifestSha256: string;
  events: PackEvent[];
}

const utf8 = (text: string) => new TextEncoder().encode(text);

export async function assembleEvidencePack(
  ctx: Pick<EvidencePackContext, 'packs' | 'format' | 'signer'>,
  input: { scope: PackScope; prefectureName: string; agent: PackAgent; reason: string; at: Date },
): Promise<AssembledPack> {
  const { scope, agent, at } = input;
  const contents = await ctx.packs.read(scope);
  if (contents.unknownRequestIds.length + contents.unknownAppointmentIds.length > 0)
    throw new DomainError('EVIDENCE_RECORD_NOT_FOUND', undefined, {
      requestIds: contents.unknownRequestIds,
      appointmentIds: contents.unknownAppointmentIds,
    });
  const events = sortPackEvents(contents.events);
  const counts = countEvents(events);
  // Draws and commitments are the period's context, not a complaint's subject.
  if (counts.security + counts.audit + counts.request + counts.appointment === 0)
    throw new DomainError('EVIDENCE_SCOPE_EMPTY');
  const included = events.flatMap((e) => (e.seq === null ? [] : [e.seq])).sort((a, b) => a - b);
  const chain = await ctx.packs.chainFrom(included[0] ?? null);

  const particulars: Omit<PackManifest, 'files'> = {
    format: PACK_FORMAT,
    createdAt: at.toISOString(),
    createdBy: { id: agent.id, email: agent.email, role: agent.role },
    reason: input.reason,
    scope: {
      prefectureId: scope.prefectureId,
      prefectureName: input.prefectureName,
      from: scope.from.toISOString(),
      to: scope.to.toISOString(),
      requestIds: [...scope.requestIds],
      appointmentIds: [...scope.appointmentIds],
      ipPrefixes: [...scope.ipPrefixes],
    },
    counts,
    chainHead: chain.head,
    included,
    signature: { algorithm: 'Ed25519', keyId: ctx.signer.keyId, file: 'manifest.sig', publicKeyFile: 'public-key.pem' },
  };
  const summary = summaryLinesFr(particulars, events);
  const content = [
    { name: 'summary.pdf', bytes: await ctx.format.summaryPdf({ ...summary, createdAt: at }) },
    { name: 'GUIDE-fr.txt', bytes: utf8(guideFr(particulars)) },
    { name: 'GUIDE-en.txt', bytes: utf8(guideEn(particulars)) },
    { name: 'events.csv', bytes: utf8(eventsCsv(events)) },
    { name: 'events.json', bytes: utf8(eventsJson(events)) },
    { name: 'chain.json', bytes: utf8(chainJson({ rule: LINK_RULE, head: chain.head, links: chain.links })) },
    { name: 'public-key.pem', bytes: utf8(ctx.signer.publicKeyPem) },
  ];
  const sums = { name: 'SHA256SUMS', bytes: utf8(sha256Sums(content.map((f) => manifestFile(f.name, f.bytes)))) };
  const files = [...content, sums];
  const manifest: PackManifest = { ...particulars, files: files.map((f) => manifestFile(f.name, f.bytes)) };
  const manifestBytes = utf8(manifestJson(manifest));
  const bytes = ctx.format.zip(
    [
      { name: 'manifest.json', bytes: manifestBytes },
      { name: 'manifest.sig', bytes: ctx.signer.sign(manifestBytes) },
      ...files,
    ],
    at,
  );
  return { fileName: packFileName(scope, at), bytes, manifest, manifestSha256: sha256Hex(manifestBytes), events };
}
