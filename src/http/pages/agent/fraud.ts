import type { FastifyPluginAsync } from 'fastify';
import type { CatalogueUseCases } from '../../../app/catalogue/catalogue-use-cases.ts';
import type { FraudUseCases } from '../../../app/fraud/fraud-use-cases.ts';

export const fraudPages =
  (_fraud: FraudUseCases, _catalogue: Pick<CatalogueUseCases, 'listPrefectures'>): FastifyPluginAsync =>
  async () => {};
