// Filing an appointment request (procedures allocated by draws), in two steps that work
// without JavaScript except the proof of work:
//   GET  /request?procedure&prefecture           identity, availability, urgency → send the code
//   POST /request?procedure&prefecture           checks, proof of work, email code → the code step
//                                               (also "send a new code" and "change my answers")
//   POST /request/confirm?procedure&prefecture   files the request → cookie → 303 /my-request
// The query carries only the (public) procedure and prefecture; what the person typed rides
// in hidden fields of the POST bodies. A refusal shows the step it concerns again, with what
// was typed and the message linked to its field.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ApplicantUseCases } from '../../app/applicants/applicant-use-cases.ts';
import type { RequestUseCases } from '../../app/requests/request-use-cases.ts';
import type { DomainError, ErrorCode } from '../../domain/errors.ts';
import { permitDatesOutcome } from '../../domain/registry-check.ts';
import { translator } from '../../i18n/i18n.ts';
import type { WebSettings } from '../feature-plugins.ts';
import { SENSITIVE_ROUTE } from '../rate-limit.ts';
import { DepartementCode, LocalDate, Slug } from '../schemas.ts';
import { deviceOf, rememberDevice } from '../web/device-cookie.ts';
import { setManagementToken } from '../web/management-cookie.ts';
import { formatDateFor, languageOf, POW_HEAD, POW_SCRIPTS, sendPage } from '../web/render.ts';
import { procedureName } from './appointment-details.ts';
import {
  CONTACT_FIELDS,
  checkIdentity,
  errorsByField,
  type IdentityInput,
  identityFieldsFor,
  identityInputOf,
} from './identity-form.ts';
import { type FieldError, fieldError, formOf, powErrors, proofOfWorkCheck, refusalOf, statusOf } from './page-forms.ts';
import {
  checkPreferences,
  type PreferencesInput,
  preferenceFieldOf,
  preferenceOptions,
  preferencesInputOf,
  type RequestTarget,
} from './request-form.ts';

const TargetQuery = z.object({ procedure: Slug, prefecture: DepartementCode });
const IDEMPOTENCY_KEY = /^[0-9a-f-]{36}$/;
/** Set with the management cookie after filing: /my-request then shows the token, once. */
export const FILED_COOKIE = 'creneau_filed';

/** The refusals of filing that send the person back to the first step, and the field they concern. */
const FORM_REFUSALS: Partial<Record<DomainError['code'], string | null>> = {
  IDENTITY_NOT_VERIFIED: 'agdrefNumber',
  IDENTITY_PROOF_MISMATCH: null,
  PERMIT_EXPIRED: null,
  OUTSIDE_RENEWAL_WINDOW: null,
  VALIDATION_FAILED: null,
  SITE_NOT_FOUND: 'siteIds',
  ALREADY_REQUESTED_FOR_PROCEDURE: null,
  ALREADY_BOOKED_FOR_PROCEDURE: null,
};
/** Refusals no form can answer: the error page says what to do. */
const PAGE_REFUSALS = new Set<string>([
  'PROCEDURE_NOT_REQUESTABLE',
  'IDEMPOTENCY_KEY_REUSED',
  'PROCEDURE_NOT_FOUND',
  'PREFECTURE_NOT_FOUND',
]);

const query = (target: Pick<RequestTarget, 'procedure' | 'prefecture'>) =>
  `procedure=${encodeURIComponent(target.procedure.id)}&prefecture=${encodeURIComponent(target.prefecture.id)}`;

interface Typed {
  identity: IdentityInput;
  preferences: PreferencesInput;
}

interface CodeState {
  verificationId: string;
  idempotencyKey: string;
}

export const requestPages =
  (requests: RequestUseCases, uses: { applicants: ApplicantUseCases }, web: WebSettings): FastifyPluginAsync =>
  async (app) => {
    const { applicants } = uses;
    const checkPow = proofOfWorkCheck(applicants);
    const t = (request: FastifyRequest) => translator(languageOf(request), 'request');

    /**
     * The procedure and prefecture of the query, when both exist and the procedure takes
     * requests; otherwise where to send the person instead (the home page, or the
     * procedure's page, which says how it is done).
     */
    async function targetOf(request: FastifyRequest): Promise<RequestTarget | string> {
      const parsed = TargetQuery.safeParse(request.query);
      if (!parsed.success) return '/';
      const { procedure, prefecture, target } = await requests.findRequestTarget({
        procedureId: parsed.data.procedure,
        prefectureId: parsed.data.prefecture,
      });
      if (!procedure) return '/';
      if (!prefecture || !target || procedure.channel !== 'appointment') {
        return `/procedure?procedure=${encodeURIComponent(procedure.id)}${prefecture ? `&prefecture=${encodeURIComponent(prefecture.id)}` : ''}`;
      }
      return target;
    }

    function stepData(request: FastifyRequest, target: RequestTarget, typed: Typed, errors: FieldError[]) {
      return {
        procedure: target.procedure,
        procedureName: procedureName(target.procedure, languageOf(request)),
        prefecture: target.prefecture,
        action: `/request?${query(target)}`,
        identityFields: identityFieldsFor(target.procedure.identityProof),
        contactFields: CONTACT_FIELDS,
        values: { ...typed.identity, urgencyDate: typed.preferences.urgencyDate },
        preferences: typed.preferences,
        errors,
        fieldErrors: errorsByField(errors),
        head: POW_HEAD,
        scripts: POW_SCRIPTS,
      };
    }

    function showForm(
      request: FastifyRequest,
      reply: FastifyReply,
      target: RequestTarget,
      typed: Typed,
      errors: FieldError[] = [],
      status = 200,
      refusal?: DomainError,
    ) {
      const alternative = refusal?.details?.alternativeProcedureId;
      const data = stepData(request, target, typed, errors);
      return sendPage(
        request,
        reply,
        'request/form',
        {
          title: t(request)('form.title', { procedure: data.procedureName }),
          ...data,
          procedureLink: `/procedure?${query(target)}`,
          options: preferenceOptions(target, typed.preferences, t(request)),
          urgentWithinDays: target.procedure.allocation.urgentWithinDays,
          alternativeLink:
            typeof alternative === 'string'
              ? `/procedure?procedure=${encodeURIComponent(alternative)}&prefecture=${encodeURIComponent(target.prefecture.id)}`
              : null,
          existingRequest: refusal?.code === 'ALREADY_REQUESTED_FOR_PROCEDURE',
        },
        status,
      );
    }

    function showCode(
      request: FastifyRequest,
      reply: FastifyReply,
      target: RequestTarget,
      typed: Typed,
      state: CodeState,
      errors: FieldError[] = [],
      status = 200,
    ) {
      const tr = t(request);
      const names = (ids: string[]) =>
        target.sites
          .filter((s) => ids.includes(s.id))
          .map((s) => s.name)
          .join(', ');
      return sendPage(
        request,
        reply,
        'request/code',
        {
          title: tr('code.title'),
          ...stepData(request, target, typed, errors),
          ...state,
          confirmAction: `/request/confirm?${query(target)}`,
          sentTo: typed.identity.email,
          summary: {
            name: `${typed.identity.givenNames} ${typed.identity.surname}`,
            sites: names(typed.preferences.siteIds),
            weekdays: typed.preferences.weekdays.map((d) => tr(`weekday.${d}`)).join(', '),
            halfDays: typed.preferences.halfDays.map((h) => tr(`halfDay.${h}`)).join(', '),
            urgencyDate: typed.preferences.urgencyDate,
          },
        },
        status,
      );
    }

    /** The refusal of a renewal by the permit expiry typed (domain/registry-check.ts), on its field; null when none. */
    function renewalRefusal(
      request: FastifyRequest,
      target: RequestTarget,
      expiresOn: string,
    ): (FieldError & { code: ErrorCode }) | null {
      if (!target.procedure.renewalWindow || !LocalDate.safeParse(expiresOn).success) return null;
      const outcome = permitDatesOutcome(expiresOn, target.procedure, target.today);
      if (outcome.ok) return null;
      const day = (date: string) => formatDateFor(languageOf(request))(date, 'UTC', 'date');
      const message =
        outcome.code === 'PERMIT_EXPIRED'
          ? t(request)('early.expired', { expiry: day(expiresOn) })
          : t(request)(target.today < outcome.opensOn ? 'early.tooEarly' : 'early.tooLate', {
              expiry: day(expiresOn),
              opensOn: day(outcome.opensOn),
              closesOn: day(outcome.closesOn),
            });
      return { field: 'urgencyDate', message, code: outcome.code };
    }

    /** Identity and availability, both checked, with every field's error at once. */
    function checkTyped(request: FastifyRequest, target: RequestTarget, typed: Typed) {
      const identity = checkIdentity(
        typed.identity,
        target.procedure.identityProof,
        target.asOf,
        translator(languageOf(request), 'booking'),
        { contact: true },
      );
      const preferences = checkPreferences(typed.preferences, target, t(request));
      return { identity, preferences, errors: [...identity.errors, ...preferences.errors] };
    }

    const typedOf = (request: FastifyRequest): Typed => ({
      identity: identityInputOf(formOf(request)),
      preferences: preferencesInputOf(request),
    });

    app.get('/request', async (request, reply) => {
      const target = await targetOf(request);
      if (typeof target === 'string') return reply.redirect(target, 303);
      // Everything ticked: "the first slot anywhere" is one click; people narrow it if they must.
      const anywhere = {
        siteIds: target.sites.map((site) => site.id),
        weekdays: [...new Set(target.receiving.flatMap((r) => r.weekdays))].map(String),
      };
      rememberDevice(request, reply, web.secureCookies, requests.newDeviceId);
      return showForm(request, reply, target, {
        identity: identityInputOf({}),
        preferences: { ...anywhere, halfDays: ['am', 'pm'], urgencyDate: '' },
      });
    });

    // A language switch or a reload on a step reached by POST starts the form again.
    app.get('/request/confirm', async (request, reply) => {
      const parsed = TargetQuery.safeParse(request.query);
      return reply.redirect(
        parsed.success ? `/request?procedure=${parsed.data.procedure}&prefecture=${parsed.data.prefecture}` : '/',
        303,
      );
    });

    app.post('/request', { config: SENSITIVE_ROUTE }, async (request, reply) => {
      const target = await targetOf(request);
      if (typeof target === 'string') return reply.redirect(target, 303);
      const typed = typedOf(request);
      if (formOf(request).edit) return showForm(request, reply, target, typed);
      const { identity, errors } = checkTyped(request, target, typed);
      if (!identity.applicant || errors.length > 0) return showForm(request, reply, target, typed, errors, 400);
      // A renewal whose permit, by the date typed, is outside its window: said now, not after an email code.
      const early = renewalRefusal(request, target, typed.preferences.urgencyDate);
      if (early) return showForm(request, reply, target, typed, [early], statusOf(early.code));
      const pow = await checkPow(request, reply);
      if (pow) return showForm(request, reply, target, typed, powErrors(request, pow), statusOf(pow.code));
      try {
        const sent = await applicants.sendEmailCode({
          email: identity.applicant.email,
          purpose: 'request',
          ip: request.ip,
          route: 'POST /request',
          language: languageOf(request),
        });
        return showCode(request, reply, target, typed, {
          verificationId: sent.verificationId,
          idempotencyKey: requests.newIdempotencyKey(),
        });
      } catch (error) {
        const refusal = refusalOf(error);
        const field = refusal.code === 'EMAIL_CODE_SEND_LIMITED' ? 'email' : undefined;
        return showForm(
          request,
          reply,
          target,
          typed,
          [fieldError(request, refusal.code, field)],
          statusOf(refusal.code),
        );
      }
    });

    app.post('/request/confirm', { config: SENSITIVE_ROUTE }, async (request, reply) => {
      const target = await targetOf(request);
      if (typeof target === 'string') return reply.redirect(target, 303);
      const typed = typedOf(request);
      const { identity, preferences, errors } = checkTyped(request, target, typed);
      if (!identity.applicant || !preferences.preferences || errors.length > 0)
        return showForm(request, reply, target, typed, errors, 400);
      const form = formOf(request);
      const idempotencyKey = IDEMPOTENCY_KEY.test(form.idempotencyKey ?? '')
        ? form.idempotencyKey!
        : requests.newIdempotencyKey();
      const state = { verificationId: form.verificationId ?? '', idempotencyKey };
      const code = (form.code ?? '').trim();
      if (code === '') {
        const missing = translator(languageOf(request), 'booking')('field.code.missing');
        return showCode(request, reply, target, typed, state, [{ field: 'code', message: missing }], 400);
      }
      const pow = await checkPow(request, reply, idempotencyKey);
      if (pow) return showCode(request, reply, target, typed, state, powErrors(request, pow), statusOf(pow.code));
      try {
        const { confirmation } = await requests.fileRequest(
          {
            prefectureId: target.prefecture.id,
            procedureId: target.procedure.id,
            preferences: preferences.preferences,
            urgencyDate: preferences.urgencyDate,
            applicant: identity.applicant,
            emailProof: { verificationId: state.verificationId, code },
            language: languageOf(request),
          },
          { idempotencyKey, origin: { ip: request.ip, route: 'POST /request/confirm', device: deviceOf(request) } },
        );
        const secure = web.secureCookies;
        setManagementToken(reply, confirmation.managementToken, secure);
        reply.setCookie(FILED_COOKIE, '1', {
          path: '/my-request',
          httpOnly: true,
          sameSite: 'lax',
          secure,
          maxAge: 1800,
        });
        return reply.redirect('/my-request', 303);
      } catch (error) {
        const refusal = refusalOf(error);
        if (PAGE_REFUSALS.has(refusal.code)) throw refusal;
        const status = statusOf(refusal.code);
        if (refusal.code in FORM_REFUSALS) {
          const field = preferenceFieldOf(refusal) ?? FORM_REFUSALS[refusal.code] ?? undefined;
          return showForm(request, reply, target, typed, [fieldError(request, refusal.code, field)], status, refusal);
        }
        // A wrong code, or a passing trouble: the same step again, under a new key (the refusal is kept under the old one).
        const field = refusal.code === 'EMAIL_CODE_INVALID' ? 'code' : undefined;
        return showCode(
          request,
          reply,
          target,
          typed,
          { ...state, idempotencyKey: requests.newIdempotencyKey() },
          [fieldError(request, refusal.code, field)],
          status,
        );
      }
    });
  };
