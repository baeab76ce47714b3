import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CatalogueUseCases } from '../../app/catalogue/catalogue-use-cases.ts';
import { DepartementCode, PrefectureSchema, ProblemSchema, ProcedureSchema, SiteSchema, Slug } from '../schemas.ts';

export const catalogueRoutes =
  (catalogue: CatalogueUseCases): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/api/prefectures',
      {
        schema: {
          tags: ['catalogue'],
          summary: 'Prefectures served',
          response: { 200: z.object({ prefectures: z.array(PrefectureSchema) }) },
        },
      },
      async () => ({ prefectures: await catalogue.listPrefectures() }),
    );

    app.get(
      '/api/prefectures/:prefectureId',
      {
        schema: {
          tags: ['catalogue'],
          summary: 'A prefecture and its sites (prefecture, sub-prefectures, antennas)',
          params: z.object({ prefectureId: DepartementCode }),
          response: { 200: z.object({ prefecture: PrefectureSchema, sites: z.array(SiteSchema) }), 404: ProblemSchema },
        },
      },
      async (request) => catalogue.getPrefectureWithSites(request.params.prefectureId),
    );

    app.get(
      '/api/procedures',
      {
        schema: {
          tags: ['catalogue'],
          summary: 'Procedure catalogue',
          response: { 200: z.object({ procedures: z.array(ProcedureSchema) }) },
        },
      },
      async () => ({ procedures: await catalogue.listProcedures() }),
    );

    app.get(
      '/api/procedures/:procedureId',
      {
        schema: {
          tags: ['catalogue'],
          summary: 'One procedure: slot length, identity proof, channel, booking mode',
          params: z.object({ procedureId: Slug }),
          response: { 200: ProcedureSchema, 404: ProblemSchema },
        },
      },
      async (request) => catalogue.getProcedure(request.params.procedureId),
    );
  };
