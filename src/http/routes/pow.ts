import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApplicantUseCases } from '../../app/applicants/applicant-use-cases.ts';
import { SENSITIVE_ROUTE } from '../rate-limit.ts';

// The challenge exactly as altcha-lib signed it: loose, so that no parameter the signature
// covers can be dropped on the way out (the widget sends the parameters back to be checked).
export const PowChallengeSchema = z
  .object({
    parameters: z.looseObject({
      algorithm: z.string(),
      nonce: z.string(),
      salt: z.string(),
      cost: z.number().int(),
      keyLength: z.number().int(),
      keyPrefix: z.string(),
      expiresAt: z.number().int().optional(),
    }),
    signature: z.string(),
  })
  .describe('An ALTCHA v2 challenge, for the `altcha` widget');

export const powRoutes =
  (applicants: Pick<ApplicantUseCases, 'createChallenge'>): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/api/pow/challenge',
      {
        config: SENSITIVE_ROUTE,
        schema: {
          tags: ['protection'],
          summary: 'A proof-of-work challenge (ALTCHA), single use, valid 5 minutes',
          description:
            'Give this URL to the `altcha` widget (`challenge` attribute). The widget solves the challenge in the browser and ' +
            'puts its base64 payload in the form (field `altcha`); sending a code, booking or filing a request requires it. ' +
            'Difficulty rises with the rate of attempts from the same address, subnet, or in all.',
          response: { 200: PowChallengeSchema },
        },
      },
      async (request, reply) => {
        reply.header('cache-control', 'no-store');
        return (await applicants.createChallenge({ ip: request.ip })) as z.input<typeof PowChallengeSchema>;
      },
    );
  };
