// POST /api/sms/inbound: the SMS gateway forwards the messages people send back (STOP,
// START), with its key as a bearer token. Always 204 for a well-formed call from the gateway,
// whatever the text said; 401 SMS_GATEWAY_KEY_INVALID otherwise.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SmsUseCases } from '../../app/sms/sms-use-cases.ts';

const bearerOf = (header: string | undefined): string | null => {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1]! : null;
};

export const smsInboundRoutes =
  (sms: SmsUseCases): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/api/sms/inbound',
      {
        schema: {
          tags: ['sms'],
          summary: 'A text message sent back to Créneau (for the SMS gateway)',
          description:
            'The gateway forwards what people answer. "STOP" (also "Arrêt", "UNSUBSCRIBE") stops every text message to that number; "START" lets them through again; any other text is ignored. Authorization: Bearer SMS_GATEWAY_KEY.',
          body: z.object({
            from: z.string().trim().min(3).max(32),
            text: z.string().max(1600),
          }),
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        await sms.recordInboundSms({
          key: bearerOf(request.headers.authorization),
          from: request.body.from,
          text: request.body.text,
        });
        return reply.code(204).send(null);
      },
    );
  };
