// "Manage my appointment": the management token lives in the creneau_manage cookie only.
//   GET  /manage/open?token=…   the emailed link: cookie, then 303 /manage (the token leaves the address at once)
//   POST /manage/open           the token typed by hand (a reference typed there goes to /manage/find, way-back-in.ts)
//   GET  /manage                the appointment (or the token form; a request's token goes to /my-request)
//   POST /manage/forget         forget this device
//   GET  /manage/convocation    printable convocation with its QR code
//   GET|POST /manage/cancel     question, then cancellation
// Rescheduling is in reschedule.ts.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import type { BookingUseCases } from '../../app/booking/booking-use-cases.ts';
import type { ConvocationUseCases } from '../../app/convocations/convocation-use-cases.ts';
import type { RequestUseCases } from '../../app/requests/request-use-cases.ts';
import { normaliseReference } from '../../domain/booking-reference.ts';
import { translator } from '../../i18n/i18n.ts';
import type { WebSettings } from '../feature-plugins.ts';
import { SENSITIVE_ROUTE } from '../rate-limit.ts';
import {
  clearManagementToken,
  managementTokenShape,
  readManagementToken,
  setManagementToken,
} from '../web/management-cookie.ts';
import { languageOf, sendPage } from '../web/render.ts';
import { type AppointmentDetails, appointmentData } from './appointment-details.ts';
import { type FieldError, fieldError, formOf, keepLanguage, refusalOf, statusOf } from './page-forms.ts';

/** Notices shown on /manage after an action (`?done=…`: a word, nothing personal). */
const NOTICES = new Set(['cancelled', 'rescheduled', 'forgotten', 'found', 'accepted']);

export const managePages =
  (
    booking: BookingUseCases,
    uses: {
      requests: Pick<RequestUseCases, 'viewRequest'>;
      convocations: Pick<ConvocationUseCases, 'convocationOfManagementToken'>;
    },
    web: WebSettings,
  ): FastifyPluginAsync =>
  async (app) => {
    const secure = web.secureCookies;
    const t = (request: FastifyRequest) => translator(languageOf(request), 'manage');

    function showOpenForm(request: FastifyRequest, reply: FastifyReply, errors: FieldError[] = [], status = 200) {
      const done = (request.query as { done?: unknown }).done;
      return sendPage(
        request,
        reply,
        'manage/open',
        {
          title: t(request)('open.title'),
          errors,
          tokenError: errors[0]?.message,
          notice: done === 'forgotten' ? 'forgotten' : null,
        },
        status,
      );
    }

    app.get('/manage/open', { config: SENSITIVE_ROUTE }, async (request, reply) => {
      const token = managementTokenShape((request.query as { token?: unknown }).token);
      if (token) setManagementToken(reply, token, secure);
      return reply.redirect(keepLanguage('/manage', request), 303);
    });

    app.post('/manage/open', { config: SENSITIVE_ROUTE }, async (request, reply) => {
      // A booking or request reference typed here (it is what people keep): the way back in, filled in.
      const reference = normaliseReference(formOf(request).token ?? '');
      if (reference) return reply.redirect(`/manage/find?reference=${reference}`, 303);
      const token = managementTokenShape(formOf(request).token);
      if (!token) return showOpenForm(request, reply, [{ field: 'token', message: t(request)('open.invalid') }], 400);
      setManagementToken(reply, token, secure);
      return reply.redirect('/manage', 303);
    });

    app.get('/manage', { config: SENSITIVE_ROUTE }, async (request, reply) => {
      const token = readManagementToken(request);
      if (!token) return showOpenForm(request, reply);
      let details: AppointmentDetails;
      try {
        details = await booking.viewAppointmentDetails(token);
      } catch (error) {
        if (refusalOf(error).code !== 'APPOINTMENT_NOT_FOUND') throw error;
        // The same cookie holds the token of an appointment request: its own page shows it.
        const openRequest = await uses.requests.viewRequest(token).catch((e: unknown) => {
          if (refusalOf(e).code === 'REQUEST_NOT_FOUND') return null;
          throw e;
        });
        if (openRequest) return reply.redirect('/my-request', 303);
        clearManagementToken(reply);
        return showOpenForm(
          request,
          reply,
          [fieldError(request, 'APPOINTMENT_NOT_FOUND', 'token')],
          statusOf('APPOINTMENT_NOT_FOUND'),
        );
      }
      const done = (request.query as { done?: unknown }).done;
      return sendPage(request, reply, 'manage/appointment', {
        title: t(request)('appointment.title'),
        notice: typeof done === 'string' && NOTICES.has(done) ? done : null,
        ...appointmentData(request, details),
      });
    });

    app.get('/manage/forget', async (_request, reply) => reply.redirect('/manage', 303));

    app.post('/manage/forget', async (_request, reply) => {
      clearManagementToken(reply);
      return reply.redirect('/manage?done=forgotten', 303);
    });

    /** The appointment of the cookie's token, or a redirect to the token form. */
    async function withAppointment(
      request: FastifyRequest,
      reply: FastifyReply,
      show: (token: string, details: AppointmentDetails) => Promise<FastifyReply>,
    ) {
      const token = readManagementToken(request);
      if (!token) return reply.redirect('/manage', 303);
      return show(token, await booking.viewAppointmentDetails(token));
    }

    app.get('/manage/convocation', { config: SENSITIVE_ROUTE }, (request, reply) =>
      withAppointment(request, reply, async (token, details) => {
        const convocation = await uses.convocations.convocationOfManagementToken(token);
        const qrDataUrl = await QRCode.toDataURL(convocation.token, { errorCorrectionLevel: 'M', margin: 2, scale: 6 });
        return sendPage(request, reply, 'manage/convocation', {
          title: t(request)('convocation.title'),
          ...appointmentData(request, details),
          qrDataUrl,
          shortCode: convocation.shortCode,
        });
      }),
    );

    app.get('/manage/cancel', (request, reply) =>
      withAppointment(request, reply, async (_token, details) => {
        const data = appointmentData(request, details);
        if (!data.canCancel) return reply.redirect('/manage', 303);
        return sendPage(request, reply, 'manage/cancel', { title: t(request)('cancel.title'), ...data });
      }),
    );

    app.post('/manage/cancel', { config: SENSITIVE_ROUTE }, async (request, reply) => {
      const token = readManagementToken(request);
      if (!token) return reply.redirect('/manage', 303);
      await booking.cancelAppointment(token);
      return reply.redirect('/manage?done=cancelled', 303);
    });
  };
