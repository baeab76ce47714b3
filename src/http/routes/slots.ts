import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { BookingUseCases } from '../../app/booking/booking-use-cases.ts';
import { localTimeOf } from '../../domain/local-time.ts';
import { FreeSlotSchema, FreeSlotsQuery, ProblemSchema } from '../schemas.ts';
import { sendSharedAnswer } from '../shared-answer.ts';
import { sharedQueryValidator } from '../shared-query.ts';

export const slotRoutes =
  (booking: Pick<BookingUseCases, 'freeSlotCalendar'>): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/api/slots',
      {
        // Polled by crowds with one URL: its query is validated once, not per poll.
        validatorCompiler: sharedQueryValidator,
        schema: {
          tags: ['booking'],
          summary: 'Free slots of a procedure at one or several sites over a date range (local dates, at most 92 days)',
          description:
            'Example: /api/slots?procedureId=renouvellement&siteIds=bobigny,saint-denis&from=2026-06-01&to=2026-06-30. ' +
            'One entry per site and start time; `freeCounters` tells how many counters are free then. ' +
            'Answers are shared between clients and never older than a second; send the ETag back in ' +
            'If-None-Match to get 304 Not Modified while nothing changed; brotli or gzip on Accept-Encoding.',
          querystring: FreeSlotsQuery,
          response: {
            200: z.object({ timeZone: z.string(), truncated: z.boolean(), slots: z.array(FreeSlotSchema) }),
            400: ProblemSchema,
            404: ProblemSchema,
            409: ProblemSchema,
          },
        },
      },
      async (request, reply) => {
        const q = request.query;
        const result = await booking.freeSlotCalendar({
          procedureId: q.procedureId,
          siteIds: q.siteIds,
          fromDate: q.from,
          toDate: q.to,
          limit: q.limit,
        });
        return sendSharedAnswer(request, reply, result, () => ({
          timeZone: result.timeZone,
          truncated: result.truncated,
          slots: result.slots.map((s) => ({
            slotId: s.slotId,
            siteId: s.siteId,
            startsAt: s.startsAt.toISOString(),
            endsAt: s.endsAt.toISOString(),
            localDate: s.localDate,
            localTime: localTimeOf(s.startsAt, result.timeZone),
            freeCounters: s.freeCounters,
          })),
        }));
      },
    );
  };
