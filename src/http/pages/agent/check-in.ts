// Check-in at the counter (inside agentArea: the session is checked).
//   GET  /agent/check-in            the short-code form; with JavaScript and a camera, a QR
//                                   scanner (/assets/check-in.js) fills the token and sends it
//   POST /agent/check-in            code or token → 303 /agent/check-in/<id>, or the form again
//                                   with one uniform "not valid" (404) for anything wrong,
//                                   another prefecture's or site's convocation included
//   GET  /agent/check-in/<id>       the identity to compare with the ID document, the
//                                   appointment, its status and the buttons open now
//   POST /agent/check-in/<id>       action=arrived|served|no_show|undo → 303 back (?done=<action>),
//                                   or the screen again with the refusal (409)
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { AgendaUseCases } from '../../../app/agenda/agenda-use-cases.ts';
import type { CheckInView } from '../../../app/agenda/check-in.ts';
import { IDENTITY_REFUSED, isCheckInCommand } from '../../../domain/agenda-rules.ts';
import { DomainError, type ErrorCode } from '../../../domain/errors.ts';
import { translator } from '../../../i18n/i18n.ts';
import { SENSITIVE_ROUTE } from '../../rate-limit.ts';
import { Uuid } from '../../schemas.ts';
import { languageOf } from '../../web/render.ts';
import { type FieldError, fieldError, formOf, refusalOf, statusOf } from '../page-forms.ts';
import { agentWith, sendAgentPage } from './agent-area.ts';

export const CHECK_IN_PATH = '/agent/check-in';
const CHECK_IN_SCRIPTS = '<script src="/assets/check-in.js" defer></script>';
/** Refusals of a transition, shown on the check-in screen itself. */
const TRANSITION_REFUSALS = new Set<ErrorCode>([
  'APPOINTMENT_STATUS_CONFLICT',
  'CHECK_IN_NOT_TODAY',
  'NO_SHOW_TOO_EARLY',
  'CHECK_IN_UNDO_TOO_LATE',
]);

export const checkInPages =
  (
    agenda: Pick<AgendaUseCases, 'findForCheckIn' | 'viewCheckIn' | 'changeAppointmentStatus' | 'refuseIdentity'>,
  ): FastifyPluginAsync =>
  async (app) => {
    const t = (request: FastifyRequest) => translator(languageOf(request), 'agent-agenda');

    const showForm = (
      request: FastifyRequest,
      reply: FastifyReply,
      code: string,
      errors: FieldError[] = [],
      status = 200,
    ) =>
      sendAgentPage(
        request,
        reply,
        'agent/check-in/check-in',
        { title: t(request)('checkIn.title'), code, errors, scripts: CHECK_IN_SCRIPTS },
        status,
      );

    function showResult(
      request: FastifyRequest,
      reply: FastifyReply,
      view: CheckInView,
      errors: FieldError[] = [],
      status = 200,
    ) {
      const done = (request.query as { done?: unknown }).done;
      return sendAgentPage(
        request,
        reply,
        'agent/check-in/result',
        {
          title: t(request)('result.title', { surname: view.appointment.surname }),
          view,
          errors,
          done: (isCheckInCommand(done) || done === IDENTITY_REFUSED) && errors.length === 0 ? done : null,
        },
        status,
      );
    }

    const idOf = (request: FastifyRequest): string => {
      const id = Uuid.safeParse((request.params as { id?: unknown }).id);
      if (!id.success) throw new DomainError('CONVOCATION_INVALID');
      return id.data;
    };

    app.get(CHECK_IN_PATH, async (request, reply) => {
      agentWith(request, 'checkin.write');
      return showForm(request, reply, '');
    });

    app.post(CHECK_IN_PATH, { config: SENSITIVE_ROUTE }, async (request, reply) => {
      const agent = agentWith(request, 'checkin.write');
      const form = formOf(request);
      const code = (form.code ?? '').slice(0, 64);
      const token = (form.token ?? '').trim().slice(0, 512);
      if (!token && !code.trim())
        return showForm(
          request,
          reply,
          '',
          [{ field: 'code', message: t(request)('checkIn.codeMissing') }],
          statusOf('VALIDATION_FAILED'),
        );
      try {
        const id = await agenda.findForCheckIn(agent, token ? { token } : { shortCode: code }, {
          ip: request.ip,
          route: `POST ${CHECK_IN_PATH}`,
        });
        return reply.redirect(`${CHECK_IN_PATH}/${id}`, 303);
      } catch (error) {
        const refusal = refusalOf(error);
        if (refusal.code !== 'CONVOCATION_INVALID') throw refusal;
        return showForm(
          request,
          reply,
          code,
          [fieldError(request, 'CONVOCATION_INVALID', 'code')],
          statusOf('CONVOCATION_INVALID'),
        );
      }
    });

    app.get(`${CHECK_IN_PATH}/:id`, async (request, reply) => {
      const agent = agentWith(request, 'checkin.write');
      return showResult(request, reply, await agenda.viewCheckIn(agent, idOf(request)));
    });

    app.post(`${CHECK_IN_PATH}/:id`, async (request, reply) => {
      const agent = agentWith(request, 'checkin.write');
      const id = idOf(request);
      const action = formOf(request).action;
      const isRefusal = action === IDENTITY_REFUSED;
      if (!isRefusal && !isCheckInCommand(action))
        throw new DomainError('VALIDATION_FAILED', undefined, {
          errors: [{ path: 'action', message: 'arrived, served, no_show, undo or identity_refused' }],
        });
      try {
        if (isRefusal) await agenda.refuseIdentity(agent, id, { ip: request.ip });
        else await agenda.changeAppointmentStatus(agent, id, action, { ip: request.ip });
        return reply.redirect(`${CHECK_IN_PATH}/${id}?done=${action}`, 303);
      } catch (error) {
        const refusal = refusalOf(error);
        if (!TRANSITION_REFUSALS.has(refusal.code)) throw refusal;
        return showResult(
          request,
          reply,
          await agenda.viewCheckIn(agent, id),
          [fieldError(request, refusal.code)],
          statusOf(refusal.code),
        );
      }
    });
  };
