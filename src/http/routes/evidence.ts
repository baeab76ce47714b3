import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { EvidenceUseCases } from '../../app/evidence/evidence-use-cases.ts';

export const evidenceRoutes =
  (evidence: EvidenceUseCases): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/api/evidence/head',
      {
        schema: {
          tags: ['evidence'],
          summary: 'The head of the tamper-evident record',
          description:
            'The last link of the hash chain that records every agent action, security event and draw. Keep it: `creneau audit verify --expect-head SEQ:HASH` later shows whether the record up to it was rewritten.',
          response: {
            200: z.object({
              seq: z.number().int().min(0),
              hash: z.string().regex(/^[0-9a-f]{64}$/),
              /** As `--expect-head` takes it. */
              point: z.string(),
            }),
          },
        },
      },
      async (_request, reply) => {
        const head = await evidence.evidenceHead();
        reply.header('cache-control', 'no-cache');
        return { ...head, point: `${head.seq}:${head.hash}` };
      },
    );
  };
