// The agents' search for people (issue 15, Agents 2; permission 'channel.book', every role):
//   GET  /agent/search?q=&page=                      one box: name, reference, phone, email or
//                                                    document number; appointments and requests
//                                                    of the agent's prefecture, 20 a page
//   GET  /agent/search/appointments/<id>             the appointment: the person, how to call
//                                                    them, where and when; to move it, the free
//                                                    slots of its site by day; cancel; print
//   POST /agent/search/appointments/<id>/move        slot=<id> → 303 back (?done=moved), or the page
//                                                    again with the refusal (409…)
//   POST /agent/search/appointments/<id>/cancel      → 303 back (?done=cancelled)
//   GET  /agent/search/appointments/<id>/convocation the printable convocation (QR code, short code)
// Another prefecture's appointment is 404 APPOINTMENT_NOT_FOUND, like a missing one. The
// search draws on the strict per-IP budget (SENSITIVE_ROUTE), like the check-in's code.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import type { AgentChannelUseCases } from '../../../app/agent-channel/agent-channel-use-cases.ts';
import type { FoundCaller } from '../../../app/agent-channel/search-callers.ts';
import { displayPhoneNumber } from '../../../domain/callback-rules.ts';
import { SEARCH_MAX_LENGTH, searchPageOf } from '../../../domain/caller-search.ts';
import { DomainError, type ErrorCode } from '../../../domain/errors.ts';
import { translator } from '../../../i18n/i18n.ts';
import type { FreeSlot } from '../../../ports/booking-store.ts';
import { SENSITIVE_ROUTE } from '../../rate-limit.ts';
import { Uuid } from '../../schemas.ts';
import { formatDateFor, languageOf } from '../../web/render.ts';
import { procedureName } from '../appointment-details.ts';
import { type FieldError, fieldError, formOf, refusalOf, statusOf } from '../page-forms.ts';
import { agentWith, sendAgentPage } from './agent-area.ts';

export const SEARCH_PATH = '/agent/search';
const appointmentPath = (id: string) => `${SEARCH_PATH}/appointments/${id}`;

/** Refusals of a move or a cancellation, shown on the appointment's page. */
const ACTION_REFUSALS = new Set<ErrorCode>([
  'SLOT_UNAVAILABLE',
  'SLOT_TAKEN',
  'SLOT_NOT_FOUND',
  'APPOINTMENT_NOT_ACTIVE',
  'RESCHEDULE_LIMIT_REACHED',
]);
const DONE = ['moved', 'cancelled'] as const;

/** A result as every list shows it, whatever matched: the same fields, formatted. */
function resultOf(hit: FoundCaller, lang: 'fr' | 'en') {
  const format = formatDateFor(lang);
  return {
    ...hit,
    procedureName: lang === 'fr' ? hit.procedureNameFr : hit.procedureNameEn,
    when: hit.startsAt ? format(hit.startsAt, hit.timeZone, 'datetime') : null,
    filed: format(hit.createdAt, hit.timeZone, 'date'),
    birthDate: hit.birthDate.split('-').reverse().join('/'),
    phone: hit.phone ? displayPhoneNumber(hit.phone) : null,
    href: hit.kind === 'appointment' ? appointmentPath(hit.id) : null,
  };
}

/** Free slots grouped by local day, in words ("mardi 2 juin 2026"), for radio buttons. */
export function slotDaysOf(slots: FreeSlot[], timeZone: string, lang: 'fr' | 'en') {
  const format = formatDateFor(lang);
  const days: { date: string; label: string; slots: { id: string; time: string; counters: number }[] }[] = [];
  for (const slot of slots) {
    let day = days.at(-1);
    if (day?.date !== slot.localDate)
      days.push((day = { date: slot.localDate, label: format(slot.startsAt, timeZone, 'date'), slots: [] }));
    day.slots.push({ id: slot.slotId, time: format(slot.startsAt, timeZone, 'time'), counters: slot.freeCounters });
  }
  return days;
}

export const agentSearchPages =
  (channel: AgentChannelUseCases): FastifyPluginAsync =>
  async (app) => {
    const t = (request: FastifyRequest) => translator(languageOf(request), 'agent-search');

    const idOf = (request: FastifyRequest): string => {
      const id = Uuid.safeParse((request.params as { id?: unknown }).id);
      if (!id.success) throw new DomainError('APPOINTMENT_NOT_FOUND');
      return id.data;
    };

    async function showAppointment(
      request: FastifyRequest,
      reply: FastifyReply,
      id: string,
      errors: FieldError[] = [],
      status = 200,
    ) {
      const agent = agentWith(request, 'channel.book');
      const lang = languageOf(request);
      const opened = await channel.openCallerAppointment(agent, id);
      const a = resultOf(opened.appointment, lang);
      const done = (request.query as { done?: unknown }).done;
      return sendAgentPage(
        request,
        reply,
        'agent/search/appointment',
        {
          title: t(request)('appointment.title', { reference: a.reference }),
          appointment: a,
          days: slotDaysOf(opened.slots, opened.appointment.timeZone, lang),
          truncated: opened.truncated,
          active: opened.active,
          errors,
          fieldErrors: Object.fromEntries(errors.filter((e) => e.field).map((e) => [e.field, e.message])),
          done: errors.length === 0 && DONE.find((d) => d === done) ? done : null,
          back: typeof (request.query as { q?: unknown }).q === 'string' ? (request.query as { q: string }).q : null,
        },
        status,
      );
    }

    app.get(SEARCH_PATH, { config: SENSITIVE_ROUTE }, async (request, reply) => {
      const agent = agentWith(request, 'channel.book');
      const query = request.query as { q?: unknown; page?: unknown };
      const typed = typeof query.q === 'string' ? query.q.slice(0, SEARCH_MAX_LENGTH) : '';
      const lang = languageOf(request);
      const found = await channel.searchCallers(agent, typed, searchPageOf(query.page));
      const pageHref = (page: number) => `${SEARCH_PATH}?${new URLSearchParams({ q: typed, page: String(page) })}`;
      return sendAgentPage(request, reply, 'agent/search/search', {
        title: typed ? t(request)('titleFor', { q: typed }) : t(request)('title'),
        typed,
        found: { ...found, hits: found.hits.map((hit) => resultOf(hit, lang)) },
        tooShort: typed.trim() !== '' && !found.searched,
        previousHref: found.page > 1 ? pageHref(found.page - 1) : null,
        nextHref: found.hasNext ? pageHref(found.page + 1) : null,
      });
    });

    app.get(`${SEARCH_PATH}/appointments/:id`, async (request, reply) =>
      showAppointment(request, reply, idOf(request)),
    );

    app.post(`${SEARCH_PATH}/appointments/:id/move`, async (request, reply) => {
      const agent = agentWith(request, 'channel.book');
      const id = idOf(request);
      const slot = Uuid.safeParse(formOf(request).slot);
      if (!slot.success)
        return showAppointment(request, reply, id, [{ field: 'slot', message: t(request)('move.missing') }], 400);
      try {
        await channel.moveForCaller(agent, id, slot.data, { ip: request.ip, route: 'POST /agent/search/move' });
        return reply.redirect(`${appointmentPath(id)}?done=moved`, 303);
      } catch (error) {
        const refusal = refusalOf(error);
        if (!ACTION_REFUSALS.has(refusal.code)) throw refusal;
        return showAppointment(request, reply, id, [fieldError(request, refusal.code, 'slot')], statusOf(refusal.code));
      }
    });

    app.post(`${SEARCH_PATH}/appointments/:id/cancel`, async (request, reply) => {
      const agent = agentWith(request, 'channel.book');
      const id = idOf(request);
      try {
        await channel.cancelForCaller(agent, id, { ip: request.ip, route: 'POST /agent/search/cancel' });
        return reply.redirect(`${appointmentPath(id)}?done=cancelled`, 303);
      } catch (error) {
        const refusal = refusalOf(error);
        if (!ACTION_REFUSALS.has(refusal.code)) throw refusal;
        return showAppointment(request, reply, id, [fieldError(request, refusal.code)], statusOf(refusal.code));
      }
    });

    app.get(`${SEARCH_PATH}/appointments/:id/convocation`, async (request, reply) => {
      const agent = agentWith(request, 'channel.book');
      const lang = languageOf(request);
      const printed = await channel.printCallerConvocation(agent, idOf(request));
      const a = printed.appointment;
      return sendAgentPage(request, reply, 'agent/search/convocation', {
        title: t(request)('convocation.title', { reference: a.reference }),
        appointment: { ...a, birthDate: a.birthDate.split('-').reverse().join('/') },
        site: printed.site,
        procedureName: procedureName(printed.procedure, lang),
        procedure: printed.procedure,
        shortCode: printed.convocation.shortCode,
        qrDataUrl: await QRCode.toDataURL(printed.convocation.token, {
          errorCorrectionLevel: 'M',
          margin: 2,
          scale: 6,
        }),
        back: appointmentPath(a.id),
      });
    });
  };
