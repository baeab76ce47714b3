// Evidence: the tamper-evident chain of agent actions, security events and draws (migration
// 0016) — its public head, and its verification (`creneau audit verify`).
import { evidenceUseCases } from '../app/evidence/evidence-use-cases.ts';
import { evidenceRoutes } from '../http/routes/evidence.ts';
import type { Feature } from './feature.ts';
import type { Ports } from './ports.ts';

export function createEvidenceFeature(ports: Pick<Ports, 'evidence'>) {
  const useCases = evidenceUseCases({ evidence: ports.evidence });
  return { name: 'evidence', useCases, routes: evidenceRoutes(useCases) } satisfies Feature;
}
