import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { EvidencePackUseCases } from '../../app/evidence/evidence-pack-use-cases.ts';
import type { EvidenceUseCases } from '../../app/evidence/evidence-use-cases.ts';

export const evidenceRoutes =
  (
    evidence: Pick<EvidenceUseCases, 'evidenceHead'> & Pick<EvidencePackUseCases, 'evidencePublicKey'>,
  ): FastifyPluginAsyncZod =>
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

    app.get(
      '/api/evidence/public-key',
      {
        schema: {
          tags: ['evidence'],
          summary: 'The public key evidence packs and convocations are signed with',
          description:
            "Ed25519, SPKI PEM. An evidence pack's manifest.sig is checked against it: `creneau evidence verify-pack pack.zip --public-key key.pem`, or `openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in manifest.json -sigfile manifest.sig`. The `x-key-id` header: the key's identifier, as packs name it.",
          response: { 200: z.string() },
        },
      },
      async (_request, reply) => {
        const key = evidence.evidencePublicKey();
        reply.header('cache-control', 'public, max-age=3600').header('x-key-id', key.keyId);
        reply.type('application/x-pem-file');
        return key.pem;
      },
    );
  };
