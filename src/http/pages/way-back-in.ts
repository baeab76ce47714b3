// The way back in people can use (issue 15, Applicants 1): no 43-character code, but the
// reference they were given, their birth date and a code sent to the address on file.
//   GET  /manage/find[?reference=…]   reference + birth date + proof of work (the reference
//                                     filled in from an email's link; a device that holds the
//                                     link of that very reference goes straight in)
//   POST /manage/find                 sends the code (the same answer whether or not they match) → the code step
//   POST /manage/find/open            the code → a new management token in the cookie → /manage or /my-request
// Agents on the phone send callers here; they never read the long code aloud.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { AccessUseCases } from '../../app/access/access-use-cases.ts';
import type { ApplicantUseCases } from '../../app/applicants/applicant-use-cases.ts';
import type { BookingUseCases } from '../../app/booking/booking-use-cases.ts';
import type { RequestUseCases } from '../../app/requests/request-use-cases.ts';
import { normaliseReference } from '../../domain/booking-reference.ts';
import { TRANSIENT_ERRORS } from '../../domain/errors.ts';
import { translator } from '../../i18n/i18n.ts';
import type { WebSettings } from '../feature-plugins.ts';
import { SENSITIVE_ROUTE } from '../rate-limit.ts';
import { readManagementToken, setManagementToken } from '../web/management-cookie.ts';
import { languageOf, POW_HEAD, POW_SCRIPTS, sendPage } from '../web/render.ts';
import { birthDateOf } from './identity-form.ts';
import { type FieldError, fieldError, formOf, powErrors, proofOfWorkCheck, refusalOf, statusOf } from './page-forms.ts';

interface FindValues {
  reference: string;
  birthDate: string;
}

export const wayBackInPages =
  (
    access: AccessUseCases,
    uses: {
      applicants: ApplicantUseCases;
      booking: Pick<BookingUseCases, 'viewAppointmentDetails'>;
      requests: Pick<RequestUseCases, 'viewRequest'>;
    },
    web: WebSettings,
  ): FastifyPluginAsync =>
  async (app) => {
    const checkPow = proofOfWorkCheck(uses.applicants);
    const t = (request: FastifyRequest) => translator(languageOf(request), 'manage');

    function showFind(
      request: FastifyRequest,
      reply: FastifyReply,
      values: FindValues,
      errors: FieldError[] = [],
      status = 200,
    ) {
      return sendPage(
        request,
        reply,
        'manage/find',
        {
          title: t(request)('find.title'),
          values,
          errors,
          fieldErrors: Object.fromEntries(errors.filter((e) => e.field).map((e) => [e.field, e.message])),
          head: POW_HEAD,
          scripts: POW_SCRIPTS,
        },
        status,
      );
    }

    function showCode(
      request: FastifyRequest,
      reply: FastifyReply,
      values: FindValues & { verificationId: string },
      errors: FieldError[] = [],
      status = 200,
    ) {
      return sendPage(
        request,
        reply,
        'manage/find-code',
        {
          title: t(request)('findCode.title'),
          values,
          errors,
          codeError: errors.find((e) => e.field === 'code')?.message,
          head: POW_HEAD,
          scripts: POW_SCRIPTS,
        },
        status,
      );
    }

    /** Where the cookie's link leads, if it opens this very reference. */
    async function alreadyOpen(request: FastifyRequest, reference: string): Promise<string | null> {
      const token = readManagementToken(request);
      if (!token) return null;
      const appointment = await uses.booking.viewAppointmentDetails(token).catch(() => null);
      if (appointment?.appointment.reference === reference) return '/manage';
      const requested = appointment ? null : await uses.requests.viewRequest(token).catch(() => null);
      return requested?.reference === reference ? '/my-request' : null;
    }

    app.get('/manage/find', { config: SENSITIVE_ROUTE }, async (request, reply) => {
      const typed = (request.query as { reference?: unknown }).reference;
      const reference = typeof typed === 'string' ? (normaliseReference(typed) ?? '') : '';
      const there = reference ? await alreadyOpen(request, reference) : null;
      if (there) return reply.redirect(there, 303);
      return showFind(request, reply, { reference, birthDate: '' });
    });

    app.post('/manage/find', { config: SENSITIVE_ROUTE }, async (request, reply) => {
      const form = formOf(request);
      const typed = { reference: (form.reference ?? '').trim(), birthDate: (form.birthDate ?? '').trim() };
      const reference = normaliseReference(typed.reference);
      const birthDate = birthDateOf(typed.birthDate);
      const errors: FieldError[] = [];
      const tr = t(request);
      if (!reference)
        errors.push({
          field: 'reference',
          message: tr(typed.reference ? 'find.reference.invalid' : 'find.reference.missing'),
        });
      if (!birthDate) {
        const booking = translator(languageOf(request), 'booking');
        errors.push({
          field: 'birthDate',
          message: booking(typed.birthDate ? 'field.birthDate.invalid' : 'field.birthDate.missing'),
        });
      }
      if (!reference || !birthDate) return showFind(request, reply, typed, errors, 400);
      const pow = await checkPow(request, reply);
      if (pow) return showFind(request, reply, typed, powErrors(request, pow), statusOf(pow.code));
      try {
        const sent = await access.sendAccessCode({
          reference,
          birthDate,
          ip: request.ip,
          route: 'POST /manage/find',
          language: languageOf(request),
        });
        return await showCode(request, reply, { reference, birthDate, verificationId: sent.verificationId });
      } catch (error) {
        const refusal = refusalOf(error);
        return showFind(request, reply, typed, [fieldError(request, refusal.code)], statusOf(refusal.code));
      }
    });

    app.get('/manage/find/open', async (_request, reply) => reply.redirect('/manage/find', 303));

    app.post('/manage/find/open', { config: SENSITIVE_ROUTE }, async (request, reply) => {
      const form = formOf(request);
      const reference = normaliseReference(form.reference ?? '');
      if (!reference) return reply.redirect('/manage/find', 303);
      const values = {
        reference,
        birthDate: birthDateOf(form.birthDate ?? '') ?? '',
        verificationId: (form.verificationId ?? '').trim(),
      };
      const code = (form.code ?? '').trim();
      if (code === '')
        return showCode(
          request,
          reply,
          values,
          [{ field: 'code', message: translator(languageOf(request), 'booking')('field.code.missing') }],
          400,
        );
      try {
        const opened = await access.openWithAccessCode(
          { reference, verificationId: values.verificationId, code },
          { ip: request.ip, route: 'POST /manage/find/open' },
        );
        setManagementToken(reply, opened.managementToken, web.secureCookies);
        return reply.redirect(opened.kind === 'appointment' ? '/manage?done=found' : '/my-request?done=found', 303);
      } catch (error) {
        const refusal = refusalOf(error);
        const field = refusal.code === 'EMAIL_CODE_INVALID' ? 'code' : undefined;
        if (refusal.code !== 'EMAIL_CODE_INVALID' && !TRANSIENT_ERRORS.has(refusal.code)) throw refusal;
        return showCode(request, reply, values, [fieldError(request, refusal.code, field)], statusOf(refusal.code));
      }
    });
  };
