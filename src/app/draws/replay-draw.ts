// Replays a stored draw (`creneau draw replay ID`): decompress its input snapshot, run the
// algorithm again with the recorded seed, and compare with what was stored — the input
// digest (the snapshot is the one that was drawn), the result digest, and the offers the
// draw wrote, one by one in choosing order. Identical means all three agree, bit for bit.
// Since migration 0020 the snapshot holds pseudonyms: the stored offers are put under the same
// pseudonyms (the draw's secret) before they are compared.
import { gunzipSync } from 'node:zlib';
import { type Assignment, compareReplay, type DrawResult, runDraw } from '../../domain/allocation-draw.ts';
import { pseudonymOf } from '../../domain/draw-commitment.ts';
import { decodeDrawSnapshot } from '../../domain/draw-snapshot.ts';
import { DomainError, isDomainError } from '../../domain/errors.ts';
import type { DrawReaders } from '../../ports/draw-store.ts';

export interface ReplayReport {
  drawId: string;
  identical: boolean;
  /** The snapshot could be read, and its seed is the one recorded in the draw row. */
  snapshotReadable: boolean;
  seedMatches: boolean;
  inputDigestMatches: boolean;
  resultDigestMatches: boolean;
  storedOffers: number;
  replayedAssignments: number;
  /** First position (choosing order) where the stored offers and the replay differ. */
  firstDifference: { index: number; stored: Assignment | null; replayed: Assignment | null } | null;
  /** One line for people: "identical" or what differs first. */
  summary: string;
}

/**
 * The stored offers in the replay's choosing order (offers carry no position of their own;
 * each request gets at most one offer per draw). Offers of requests the replay does not
 * know come last, by request id, so that they show up as differences.
 */
export function inChoosingOrder(stored: Assignment[], order: readonly string[]): Assignment[] {
  const position = new Map(order.map((id, index) => [id, index]));
  const rank = (a: Assignment) => position.get(a.requestId) ?? Number.MAX_SAFE_INTEGER;
  return [...stored].sort(
    (a, b) => rank(a) - rank(b) || (a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : 0),
  );
}

function describe(report: Omit<ReplayReport, 'summary'>): string {
  if (report.identical) return `identical: ${report.replayedAssignments} assignments, input and result digests match`;
  if (!report.snapshotReadable) return 'the input snapshot cannot be read (altered or truncated)';
  if (!report.seedMatches) return "the snapshot's seed differs from the draw row";
  if (!report.inputDigestMatches) return 'the input snapshot differs from the one drawn (input digest mismatch)';
  const d = report.firstDifference;
  if (d) {
    const show = (a: Assignment | null) => (a ? `${a.requestId} → ${a.slotId}` : 'nothing');
    return `assignment #${d.index + 1} differs: stored ${show(d.stored)}, replayed ${show(d.replayed)}`;
  }
  if (!report.resultDigestMatches) return 'the stored result digest differs from the replay';
  return 'differs';
}

export async function replayDraw(deps: { draws: Pick<DrawReaders, 'draws'> }, drawId: string): Promise<ReplayReport> {
  const draw = await deps.draws.draws.get(drawId);
  if (!draw) throw new DomainError('DRAW_NOT_FOUND', undefined, { drawId });
  const { secret } = draw;
  const idOf = new Map<string, string>(); // pseudonym → request id, to report differences by request
  const storedOffers = (await deps.draws.draws.assignments(draw.id)).map((a) => {
    if (!secret) return a;
    const pseudonym = pseudonymOf(secret, a.requestId);
    idOf.set(pseudonym, a.requestId);
    return { ...a, requestId: pseudonym };
  });
  const byRequest = (a: Assignment | null) => a && { ...a, requestId: idOf.get(a.requestId) ?? a.requestId };

  let replayed: DrawResult | null = null;
  let seedMatches = false;
  try {
    const input = decodeDrawSnapshot(gunzipSync(draw.inputSnapshot).toString('utf8'));
    seedMatches = input.seed === draw.seed;
    replayed = runDraw(input);
  } catch (error) {
    // zlib refuses a corrupted stream; the parser and the algorithm refuse malformed input.
    if (
      !(
        isDomainError(error) ||
        (error instanceof Error && 'code' in error && String((error as { code: unknown }).code).startsWith('Z_'))
      )
    )
      throw error;
  }

  const base = replayed
    ? (() => {
        const comparison = compareReplay(
          {
            assignments: inChoosingOrder(storedOffers, replayed.order),
            inputDigest: draw.inputDigest,
            resultDigest: draw.resultDigest,
          },
          replayed,
        );
        return {
          drawId: draw.id,
          identical: comparison.identical && seedMatches,
          snapshotReadable: true,
          seedMatches,
          inputDigestMatches: comparison.inputDigestMatches,
          resultDigestMatches: comparison.resultDigestMatches,
          storedOffers: storedOffers.length,
          replayedAssignments: replayed.assignments.length,
          firstDifference: comparison.firstDifference && {
            index: comparison.firstDifference.index,
            stored: byRequest(comparison.firstDifference.stored),
            replayed: byRequest(comparison.firstDifference.replayed),
          },
        };
      })()
    : {
        drawId: draw.id,
        identical: false,
        snapshotReadable: false,
        seedMatches: false,
        inputDigestMatches: false,
        resultDigestMatches: false,
        storedOffers: storedOffers.length,
        replayedAssignments: 0,
        firstDifference: null,
      };
  return { ...base, summary: describe(base) };
}
