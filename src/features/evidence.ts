// Evidence: the tamper-evident chain of agent actions, security events and draws (migration
// 0016) — its public head, its daily copy to outside addresses, and its verification
// (`creneau audit verify`) — and the evidence pack for a complaint (issue 16 part 4: `creneau
// evidence export|verify-pack`, the supervisors' page /agent/evidence, the public key).

import type { CatalogueUseCases } from '../app/catalogue/catalogue-use-cases.ts';
import { evidencePackUseCases } from '../app/evidence/evidence-pack-use-cases.ts';
import { evidenceUseCases } from '../app/evidence/evidence-use-cases.ts';
import type { Config } from '../config.ts';
import { lazyPlugin } from '../http/feature-plugins.ts';
import type { Feature } from './feature.ts';
import type { Ports } from './ports.ts';

export function createEvidenceFeature(
  ports: Pick<Ports, 'evidence' | 'outbox' | 'clock' | 'evidencePacks' | 'evidencePackFormat' | 'retention' | 'signer'>,
  config: Config,
  uses: { catalogue: Pick<CatalogueUseCases, 'listPrefectures'> },
) {
  const useCases = {
    ...evidenceUseCases({
      evidence: ports.evidence,
      outbox: ports.outbox,
      clock: ports.clock,
      recipients: config.mail.evidenceHeadRecipients,
    }),
    ...evidencePackUseCases({
      packs: ports.evidencePacks,
      retention: ports.retention,
      format: ports.evidencePackFormat,
      signer: ports.signer,
      clock: ports.clock,
    }),
  };
  return {
    name: 'evidence',
    useCases,
    routes: lazyPlugin(async () => (await import('../http/routes/evidence.ts')).evidenceRoutes(useCases)),
    agentPages: lazyPlugin(async () =>
      (await import('../http/pages/agent/evidence.ts')).evidencePages(useCases, uses.catalogue),
    ),
    upkeep: async () => ({ evidenceHeadsSent: await useCases.publishEvidenceHead() }),
  } satisfies Feature;
}
