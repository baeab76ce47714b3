// Evidence: the tamper-evident chain of agent actions, security events and draws (migration
// 0016) — its public head, its daily copy to outside addresses, and its verification
// (`creneau audit verify`).
import { evidenceUseCases } from '../app/evidence/evidence-use-cases.ts';
import type { Config } from '../config.ts';
import { evidenceRoutes } from '../http/routes/evidence.ts';
import type { Feature } from './feature.ts';
import type { Ports } from './ports.ts';

export function createEvidenceFeature(ports: Pick<Ports, 'evidence' | 'outbox' | 'clock'>, config: Config) {
  const useCases = evidenceUseCases({
    evidence: ports.evidence,
    outbox: ports.outbox,
    clock: ports.clock,
    recipients: config.mail.evidenceHeadRecipients,
  });
  return {
    name: 'evidence',
    useCases,
    routes: evidenceRoutes(useCases),
    upkeep: async () => ({ evidenceHeadsSent: await useCases.publishEvidenceHead() }),
  } satisfies Feature;
}
