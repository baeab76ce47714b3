import type { FastifyPluginAsync } from 'fastify';
import type { CatalogueUseCases } from '../../../app/catalogue/catalogue-use-cases.ts';
import type { EvidencePackUseCases } from '../../../app/evidence/evidence-pack-use-cases.ts';

export const evidencePages =
  (_packs: EvidencePackUseCases, _catalogue: Pick<CatalogueUseCases, 'listPrefectures'>): FastifyPluginAsync =>
  async () => {};
