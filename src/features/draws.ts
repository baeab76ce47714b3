// Draws: the scheduler (offer expiry, commitments to the next ticks and due ticks, started by
// main.ts), a draw now and the replay of a stored one (the CLI's `creneau draw`), and each
// prefecture's public page of draws (/tirages/:prefectureId: commitments, revealed secrets,
// downloads, "check my place").
import { drawUseCases } from '../app/draws/draw-use-cases.ts';
import type { EvidenceUseCases } from '../app/evidence/evidence-use-cases.ts';
import type { Config } from '../config.ts';
import { lazyPlugin } from '../http/feature-plugins.ts';
import type { Feature } from './feature.ts';
import type { Ports } from './ports.ts';

export function createDrawFeature(
  ports: Pick<Ports, 'draws' | 'clock' | 'secrets' | 'hasher'>,
  uses: { evidence: Pick<EvidenceUseCases, 'evidenceHead'> },
  config?: Pick<Config, 'fraud'>,
) {
  const useCases = drawUseCases({
    draws: ports.draws,
    clock: ports.clock,
    secrets: ports.secrets,
    hasher: ports.hasher,
    ...(config ? { fraud: config.fraud } : {}),
  });
  return {
    name: 'draws',
    useCases,
    pages: lazyPlugin(async () => (await import('../http/pages/draws.ts')).drawPages(useCases, uses.evidence)),
  } satisfies Feature;
}
