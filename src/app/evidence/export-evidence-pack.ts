// `creneau evidence export …` and the supervisors' button (/agent/evidence): the evidence pack of
// a scope (assemble-evidence-pack.ts), by an agent allowed to ('evidence.export': supervisors for
// their prefecture, administrators any). In one transaction, after the pack is made: a legal hold
// on what it holds (retention's hold: its period, the requests and appointments named, the
// scope's address prefixes and every address of its security events — so that none of them is
// purged before the complaint is dealt with), audited like any hold, and the export audited
// ('evidence.exported', with the scope and the manifest's SHA-256).
import { type AgentScope, can, canAccessPrefecture, normaliseAgentEmail } from '../../domain/agent-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import { ipPrefixOf, PACK_MAX_DAYS, type PackEventKind, type PackScope } from '../../domain/evidence-pack.ts';
import type { EvidenceHold } from '../../domain/retention.ts';
import type { PackAgent } from '../../ports/evidence-pack.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { IP_PREFIX, placeHoldIn, validatedHold } from '../retention/place-evidence-hold.ts';
import { assembleEvidencePack } from './assemble-evidence-pack.ts';
import type { EvidencePackContext } from './evidence-pack-context.ts';

export interface ExportPackInput {
  /** Who exports: the signed-in agent (the page), or an agent's work email (the CLI's --by). */
  by: { agent: PackAgent } | { email: string };
  prefectureId: string;
  from: Date | null;
  to: Date | null;
  requestIds?: readonly string[];
  appointmentIds?: readonly string[];
  ipPrefixes?: readonly string[];
  reason: string;
  /** The exporter's address, for the audit trail. */
  ip?: string | null;
}

export interface ExportedPack {
  fileName: string;
  bytes: Uint8Array;
  manifestSha256: string;
  counts: Record<PackEventKind, number>;
  hold: EvidenceHold;
}

const DAY_MS = 86_400_000;

/** The period, checked: both ends, in order, at most PACK_MAX_DAYS long. */
export function packPeriod(from: Date | null, to: Date | null): { from: Date; to: Date } {
  if (!from || !to || Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from >= to)
    throw new DomainError('DATE_RANGE_INVALID', 'A pack covers a period: a start before an end.', {
      maxDays: PACK_MAX_DAYS,
    });
  if (to.getTime() - from.getTime() > PACK_MAX_DAYS * DAY_MS)
    throw new DomainError('DATE_RANGE_INVALID', `A pack covers at most ${PACK_MAX_DAYS} days.`, {
      maxDays: PACK_MAX_DAYS,
    });
  return { from, to };
}

/** The agent may export packs of this prefecture; FORBIDDEN_SCOPE otherwise. */
export function authorisePack(agent: AgentScope, prefectureId: string): void {
  if (!can(agent, 'evidence.export') || !canAccessPrefecture(agent, prefectureId))
    throw new DomainError('FORBIDDEN_SCOPE');
}

async function exporter(ctx: Pick<EvidencePackContext, 'packs'>, by: ExportPackInput['by']): Promise<PackAgent> {
  if ('agent' in by) return by.agent;
  const email = normaliseAgentEmail(by.email);
  const agent = await ctx.packs.agentByEmail(email);
  if (!agent)
    throw new DomainError('VALIDATION_FAILED', `no active agent account ${email}`, {
      errors: [{ path: 'by', message: 'no active agent account with this email' }],
    });
  return agent;
}

/** The scope's networks as textual prefixes (ipPrefixOf); VALIDATION_FAILED naming the first that is none. */
function prefixesOf(networks: readonly string[]): string[] {
  return networks.map((network) => {
    const prefix = ipPrefixOf(network);
    if (prefix === null)
      throw new DomainError('VALIDATION_FAILED', `not an address prefix: ${network}`, {
        errors: [{ path: 'ipPrefixes', message: `not an address prefix: ${network}` }],
      });
    return prefix;
  });
}

export async function exportEvidencePack(ctx: EvidencePackContext, input: ExportPackInput): Promise<ExportedPack> {
  const period = packPeriod(input.from, input.to);
  const asked = validatedHold({
    reason: input.reason,
    ...period,
    requestIds: (input.requestIds ?? []).map((id) => id.toLowerCase()),
    appointmentIds: (input.appointmentIds ?? []).map((id) => id.toLowerCase()),
    ipPrefixes: [...new Set(prefixesOf(input.ipPrefixes ?? []))],
  });
  const agent = await exporter(ctx, input.by);
  authorisePack(agent, input.prefectureId);
  const prefectureName = await ctx.packs.prefectureName(input.prefectureId);
  if (prefectureName === null) throw new DomainError('PREFECTURE_NOT_FOUND');
  const scope: PackScope = {
    prefectureId: input.prefectureId,
    ...period,
    requestIds: asked.requestIds,
    appointmentIds: asked.appointmentIds,
    ipPrefixes: asked.ipPrefixes,
  };
  const at = ctx.clock.now();
  const pack = await assembleEvidencePack(ctx, { scope, prefectureName, agent, reason: asked.reason, at });

  // The hold names the addresses of the pack's security events: the period alone would hold
  // every prefecture's.
  const addresses = pack.events.flatMap((e) => (e.kind === 'security' && e.ip && IP_PREFIX.test(e.ip) ? [e.ip] : []));
  const hold = { ...asked, ipPrefixes: [...new Set([...asked.ipPrefixes, ...addresses])].sort() };
  return ctx.retention.holdTransaction(async (tx) => {
    const placed = await placeHoldIn(tx, agent, hold, at);
    await recordAudit(tx, {
      agent,
      prefectureId: scope.prefectureId,
      action: 'evidence.exported',
      target: { type: 'evidence_pack', id: pack.manifestSha256 },
      after: {
        fileName: pack.fileName,
        manifestSha256: pack.manifestSha256,
        reason: asked.reason,
        scope: pack.manifest.scope,
        counts: pack.manifest.counts,
        chainHead: pack.manifest.chainHead,
        holdId: placed.id,
      },
      ip: input.ip ?? null,
      at,
    });
    return {
      fileName: pack.fileName,
      bytes: pack.bytes,
      manifestSha256: pack.manifestSha256,
      counts: pack.manifest.counts,
      hold: placed,
    };
  });
}
