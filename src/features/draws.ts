// Draws: the scheduler (offer expiry and due ticks, started by main.ts), a draw now and the
// replay of a stored one (the CLI's `creneau draw`).
import { drawUseCases } from '../app/draws/draw-use-cases.ts';
import type { Feature } from './feature.ts';
import type { Ports } from './ports.ts';

export function createDrawFeature(ports: Pick<Ports, 'draws' | 'clock' | 'secrets' | 'hasher'>) {
  const useCases = drawUseCases({
    draws: ports.draws,
    clock: ports.clock,
    secrets: ports.secrets,
    hasher: ports.hasher,
  });
  return { name: 'draws', useCases } satisfies Feature;
}
