// "Manage my appointment": the management token lives in the creneau_manage cookie only.
//   GET  /manage/open?token=…   the emailed link: cookie, then 303 /manage (the token leaves the address at once)
//   POST /manage/open           the token typed by hand (a reference typed there goes to /manage/find, way-back-in.ts)
//   GET  /manage                the appointment (or the token form; a request's token goes to /my-request)
//   POST /manage/forget         forget this device
//   GET  /manage/convocation    printable convocation with its QR code, the State's and the prefecture's heading
//   GET  /manage/convocation.pdf  the same as a PDF (http/views/convocation-pdf.ts)
//   GET|POST /manage/cancel     question, then cancellation
// Rescheduling is in reschedule.ts.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import type { BookingUseCases } from '../../app/booking/booking-use-cases.ts';
import type { CatalogueUseCases } from '../../app/catalogue/catalogue-use-cases.ts';
import type { ConvocationUseCases } from '../../app/convocations/convocation-use-cases.ts';
import type { RequestUseCases } from '../../app/requests/request-use-cases.ts';
import { normaliseReference } from '../../domain/booking-reference.ts';
import { displayPhoneNumber, normalisePhoneNumber } from '../../domain/callback-rules.ts';
import { countryName } from '../../domain/countries.ts';
import { translator } from '../../i18n/i18n.ts';
import type { WebSettings } from '../feature-plugins.ts';
import { SENSITIVE_ROUTE } from '../rate-limit.ts';
import { renderConvocationPdf } from '../views/convocation-pdf.ts';
import {
  clearManagementToken,
  managementTokenShape,
  readManagementToken,
  setManagementToken,
} from '../web/management-cookie.ts';
import { formatDateFor, languageOf, sendPage } from '../web/render.ts';
import { type AppointmentDetails, appointmentData, bringListOf } from './appointment-details.ts';
import { errorsByField } from './identity-form.ts';
import { type FieldError, fieldError, formOf, keepLanguage, refusalOf, statusOf } from './page-forms.ts';

/** The print button's script (a button needs a script to print; without one the page says to use the browser's menu). */
const PRINT_SCRIPT = '<script src="/assets/print.js" defer></script>';

/** Notices shown on /manage after an action (`?done=…`: a word, nothing personal). */
const NOTICES = new Set(['cancelled', 'rescheduled', 'forgotten', 'found', 'accepted', 'phone']);

/** The appointment's number as people write it ("06 12 34 56 78"); null without one. */
const phoneShownOf = (details: AppointmentDetails): string | null => {
  const phone = details.appointment.applicant.phone;
  return phone ? displayPhoneNumber(phone) : null;
};

export const managePages =
  (
    booking: BookingUseCases,
    uses: {
      requests: Pick<RequestUseCases, 'viewRequest'>;
      convocations: Pick<ConvocationUseCases, 'convocationOfManagementToken'>;
      catalogue: Pick<CatalogueUseCases, 'getPrefectureWithSites'>;
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
        phoneShown: phoneShownOf(details),
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
        const { prefecture } = await uses.catalogue.getPrefectureWithSites(details.site.prefectureId);
        return sendPage(request, reply, 'manage/convocation', {
          title: t(request)('convocation.title'),
          ...appointmentData(request, details),
          prefecture,
          qrDataUrl,
          shortCode: convocation.shortCode,
          scripts: PRINT_SCRIPT,
        });
      }),
    );

    app.get('/manage/convocation.pdf', { config: SENSITIVE_ROUTE }, (request, reply) =>
      withAppointment(request, reply, async (token, details) => {
        const convocation = await uses.convocations.convocationOfManagementToken(token);
        const { prefecture } = await uses.catalogue.getPrefectureWithSites(details.site.prefectureId);
        const lang = languageOf(request);
        const data = appointmentData(request, details);
        const tr = t(request);
        const a = details.appointment;
        const bring = bringListOf(details.procedure, tr as (key: string) => string, lang);
        const pdf = await renderConvocationPdf({
          language: lang,
          text: {
            title: tr('convocation.heading'),
            republic: ['RÉPUBLIQUE', 'FRANÇAISE'],
            motto: ['Liberté', 'Égalité', 'Fraternité'],
            service: tr('convocation.service'),
            fields: [
              [tr('convocation.person'), `${a.applicant.surname.toUpperCase()} ${a.applicant.givenNames}`],
              [tr('convocation.birthDate'), a.applicant.birthDate.split('-').reverse().join('/')],
              [tr('convocation.nationality'), countryName(a.applicant.nationality, lang)],
              [tr('facts.procedure'), data.procedureName],
              [tr('facts.when'), formatDateFor(lang)(a.startsAt, a.timeZone, 'datetime')],
              [tr('facts.where'), `${details.site.name}, ${details.site.address}`],
            ],
            shortCodeLabel: tr('convocation.shortCode'),
            bringTitle: bring.title,
            bring: bring.items,
          },
          prefectureName: prefecture.name,
          reference: a.reference,
          token: convocation.token,
          shortCode: convocation.shortCode,
        });
        return reply
          .header('cache-control', 'no-store')
          .header('content-disposition', `attachment; filename="convocation-${a.reference}.pdf"`)
          .type('application/pdf')
          .send(Buffer.from(pdf));
      }),
    );

    /** The number form: what was typed (or the number on file), and its error. */
    function showPhoneForm(
      request: FastifyRequest,
      reply: FastifyReply,
      values: { phone: string; noTextMessages: string },
      errors: FieldError[] = [],
      status = 200,
    ) {
      return sendPage(
        request,
        reply,
        'manage/phone',
        { title: t(request)('phone.heading'), values, errors, fieldErrors: errorsByField(errors) },
        status,
      );
    }

    app.get('/manage/phone', (request, reply) =>
      withAppointment(request, reply, async (_token, details) => {
        if (!appointmentData(request, details).canCancel) return reply.redirect('/manage', 303);
        return showPhoneForm(request, reply, { phone: phoneShownOf(details) ?? '', noTextMessages: '' });
      }),
    );

    app.post('/manage/phone', { config: SENSITIVE_ROUTE }, async (request, reply) => {
      const token = readManagementToken(request);
      if (!token) return reply.redirect('/manage', 303);
      const form = formOf(request);
      const values = { phone: (form.phone ?? '').trim().slice(0, 40), noTextMessages: form.noTextMessages ? '1' : '' };
      const phone = values.phone === '' ? null : normalisePhoneNumber(values.phone);
      if (values.phone !== '' && phone === null)
        return showPhoneForm(
          request,
          reply,
          values,
          [{ field: 'phone', message: translator(languageOf(request), 'booking')('field.phone.invalid') }],
          400,
        );
      await booking.changeAppointmentPhone(token, { phone, textMessages: values.noTextMessages !== '1' });
      return reply.redirect('/manage?done=phone', 303);
    });

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
