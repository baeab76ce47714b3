// Direct booking, in four steps that all work without JavaScript except the proof of work:
//   GET  /book?procedure&prefecture[&site][&week]  the site, then a week of free slots
//   GET  /book/details?slot=…                       the slot chosen + the identity form
//   POST /book/details                              sends the email code → the code step
//   POST /book/confirm                              books → cookie → 303 /book/done
// The identity rides in hidden fields of the POST bodies, never in a URL; a refusal shows
// the step it concerns again, with what was typed and the message linked to its field.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ApplicantUseCases } from '../../app/applicants/applicant-use-cases.ts';
import type { BookingUseCases } from '../../app/booking/booking-use-cases.ts';
import type { SlotPlace } from '../../app/booking/describe-slot.ts';
import type { CatalogueUseCases } from '../../app/catalogue/catalogue-use-cases.ts';
import { DomainError } from '../../domain/errors.ts';
import { translator } from '../../i18n/i18n.ts';
import type { WebSettings } from '../feature-plugins.ts';
import { SENSITIVE_ROUTE } from '../rate-limit.ts';
import { Uuid } from '../schemas.ts';
import { deviceOf, rememberDevice } from '../web/device-cookie.ts';
import { readManagementToken, setManagementToken } from '../web/management-cookie.ts';
import { formatDateFor, languageOf, POW_HEAD, POW_SCRIPTS, sendPage } from '../web/render.ts';
import { appointmentData, procedureName } from './appointment-details.ts';
import {
  CONTACT_FIELDS,
  checkIdentity,
  errorsByField,
  type IdentityInput,
  identityFieldsFor,
  identityInputOf,
} from './identity-form.ts';
import {
  type FieldError,
  fieldError,
  formOf,
  keepLanguage,
  powErrors,
  proofOfWorkCheck,
  refusalOf,
  statusOf,
} from './page-forms.ts';
import { firstFreeSlots, freeSlotWeek } from './slot-picker.ts';

const SlotsQuery = z.object({
  procedure: z.string().max(100).optional(),
  prefecture: z.string().max(3).optional(),
  site: z.string().max(64).optional(),
  week: z.string().max(10).optional(),
  slot: z.string().max(64).optional(),
});
type SlotsChoice = z.infer<typeof SlotsQuery>;

const IDEMPOTENCY_KEY = /^[0-9a-f-]{36}$/;
/** Set with the management cookie: /book/done shows the token for this long after booking. */
const BOOKED_COOKIE = 'creneau_booked';

const withQuery = (path: string, query: Record<string, string | undefined>) => {
  const params = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => !!e[1]));
  return `${path}?${params.toString()}`;
};

/** The refusals of POST /book/confirm that send the person back to the identity form, and the field they concern. */
const IDENTITY_REFUSALS: Partial<Record<DomainError['code'], string | null>> = {
  IDENTITY_NOT_VERIFIED: 'agdrefNumber',
  PERMIT_EXPIRED: null,
  OUTSIDE_RENEWAL_WINDOW: null,
  IDENTITY_PROOF_MISMATCH: null,
  VALIDATION_FAILED: null,
  ALREADY_BOOKED_FOR_PROCEDURE: null,
  EMAIL_CAP_REACHED: 'email',
};
const SLOT_REFUSALS = new Set(['SLOT_TAKEN', 'SLOT_UNAVAILABLE', 'SLOT_NOT_FOUND']);
/** Refusals that no form can answer: the error page says what to do. */
const PAGE_REFUSALS = new Set(['PROCEDURE_NOT_BOOKABLE_DIRECTLY', 'IDEMPOTENCY_KEY_REUSED']);

export const bookingPages =
  (
    booking: BookingUseCases,
    uses: { catalogue: CatalogueUseCases; applicants: ApplicantUseCases },
    web: WebSettings,
  ): FastifyPluginAsync =>
  async (app) => {
    const { catalogue, applicants } = uses;
    const checkPow = proofOfWorkCheck(applicants);
    const t = (request: FastifyRequest) => translator(languageOf(request), 'booking');

    /** The slot list (or the site choice), with `errors` when a choice was refused. */
    async function showSlots(
      request: FastifyRequest,
      reply: FastifyReply,
      choice: SlotsChoice,
      errors: FieldError[] = [],
      status = 200,
    ) {
      if (!choice.procedure) return reply.redirect('/', 303);
      const procedure = await catalogue.getProcedure(choice.procedure);
      if (procedure.channel !== 'appointment' || !choice.prefecture) {
        return reply.redirect(withQuery('/procedure', { procedure: procedure.id, prefecture: choice.prefecture }), 303);
      }
      // Only the sites that offer the procedure; one that has nothing open says when it releases more.
      const { prefecture, sites } = await catalogue.sitesOffering({
        prefectureId: choice.prefecture,
        procedureId: procedure.id,
      });
      const site = sites.find((s) => s.id === choice.site) ?? (sites.length === 1 ? sites[0] : undefined);
      const week = site
        ? await freeSlotWeek(booking, { procedure, prefecture, siteId: site.id, week: choice.week })
        : null;
      // Choosing a site: each says when its first free slot is, and the first one with a free slot is preselected.
      const firstFree = site
        ? null
        : await firstFreeSlots(
            booking,
            procedure,
            prefecture,
            sites.map((s) => s.id),
          );
      const siteChoices = sites.map((s) => ({ ...s, firstFree: firstFree?.get(s.id) ?? null }));
      const preselected = siteChoices.find((s) => s.firstFree)?.id ?? null;
      const name = procedureName(procedure, languageOf(request));
      return sendPage(
        request,
        reply,
        'booking/slots',
        {
          title: t(request)('slots.title', { name }),
          procedure,
          procedureName: name,
          prefecture,
          sites: siteChoices,
          preselected,
          site,
          week,
          errors,
        },
        status,
      );
    }

    function slotsOf(place: SlotPlace): SlotsChoice {
      return {
        procedure: place.slot.procedureId,
        prefecture: place.prefecture.id,
        site: place.site.id,
        week: place.slot.localDate,
      };
    }

    function stepData(request: FastifyRequest, place: SlotPlace, input: IdentityInput, errors: FieldError[]) {
      const lang = languageOf(request);
      return {
        slotId: place.slot.id,
        place: {
          procedureName: procedureName(place.slot.procedure, lang),
          siteName: place.site.name,
          siteAddress: place.site.address,
          startsAt: place.slot.startsAt,
          timeZone: place.prefecture.timeZone,
        },
        slotsLink: withQuery('/book', slotsOf(place)),
        proof: place.slot.procedure.identityProof,
        renewalWindow: place.slot.procedure.renewalWindow,
        identityFields: identityFieldsFor(place.slot.procedure.identityProof),
        contactFields: CONTACT_FIELDS,
        values: input,
        errors,
        fieldErrors: errorsByField(errors),
        head: POW_HEAD,
        scripts: POW_SCRIPTS,
      };
    }

    /** `alternative`: the procedure to choose instead, when the registry says this one is not the right one. */
    function showDetails(
      request: FastifyRequest,
      reply: FastifyReply,
      place: SlotPlace,
      input: IdentityInput,
      errors: FieldError[] = [],
      status = 200,
      alternative?: string,
    ) {
      const alternativeLink = alternative
        ? withQuery('/procedure', { procedure: alternative, prefecture: place.prefecture.id })
        : null;
      return sendPage(
        request,
        reply,
        'booking/details',
        { title: t(request)('details.title'), ...stepData(request, place, input, errors), alternativeLink },
        status,
      );
    }

    interface CodeState {
      verificationId: string;
      idempotencyKey: string;
      sentTo: string;
    }
    function showCode(
      request: FastifyRequest,
      reply: FastifyReply,
      place: SlotPlace,
      input: IdentityInput,
      state: CodeState,
      errors: FieldError[] = [],
      status = 200,
    ) {
      return sendPage(
        request,
        reply,
        'booking/code',
        { title: t(request)('code.title'), ...stepData(request, place, input, errors), ...state },
        status,
      );
    }

    /** The slot a form names, with its place; SLOT_NOT_FOUND (an error page) otherwise. */
    async function placeOf(raw: unknown): Promise<SlotPlace> {
      const slotId = Uuid.safeParse(raw);
      if (!slotId.success) throw new DomainError('SLOT_NOT_FOUND');
      return booking.describeSlot(slotId.data);
    }

    app.get('/book', async (request, reply) => {
      const query = SlotsQuery.safeParse(request.query);
      return showSlots(request, reply, query.success ? query.data : {});
    });

    app.get('/book/details', async (request, reply) => {
      const query = SlotsQuery.safeParse(request.query);
      const choice = query.success ? query.data : {};
      if (!Uuid.safeParse(choice.slot).success) {
        // The slot form sent without a choice: the same list, saying what is missing.
        return showSlots(request, reply, choice, [{ field: 'slot', message: t(request)('slots.chooseSlot') }], 400);
      }
      const place = await placeOf(choice.slot);
      if (place.slot.procedure.channel !== 'appointment') {
        return reply.redirect(
          withQuery('/procedure', { procedure: place.slot.procedureId, prefecture: place.prefecture.id }),
          303,
        );
      }
      rememberDevice(request, reply, web.secureCookies, booking.newDeviceId);
      return showDetails(request, reply, place, identityInputOf({}));
    });

    // The steps reached by POST carry the slot in their address (?slot=…, nothing personal):
    // a language switch or a reload there starts again from the identity form of that slot.
    app.get('/book/confirm', async (request, reply) => {
      const slot = Uuid.safeParse((request.query as { slot?: unknown }).slot);
      return reply.redirect(slot.success ? keepLanguage(`/book/details?slot=${slot.data}`, request) : '/', 303);
    });

    app.post('/book/details', { config: SENSITIVE_ROUTE }, async (request, reply) => {
      const form = formOf(request);
      const place = await placeOf(form.slot);
      const input = identityInputOf(form);
      if (form.edit) return showDetails(request, reply, place, input);
      const { applicant, errors } = checkIdentity(input, place.slot.procedure.identityProof, place.asOf, t(request), {
        contact: true,
      });
      if (!applicant) return showDetails(request, reply, place, input, errors, 400);
      const pow = await checkPow(request, reply);
      if (pow) return showDetails(request, reply, place, input, powErrors(request, pow), statusOf(pow.code));
      try {
        const sent = await applicants.sendEmailCode({
          email: applicant.email,
          purpose: 'booking',
          ip: request.ip,
          route: 'POST /book/details',
          language: languageOf(request),
        });
        return showCode(request, reply, place, input, {
          verificationId: sent.verificationId,
          idempotencyKey: booking.newIdempotencyKey(),
          sentTo: applicant.email,
        });
      } catch (error) {
        const refusal = refusalOf(error);
        const field = refusal.code === 'EMAIL_CODE_SEND_LIMITED' ? 'email' : undefined;
        return showDetails(
          request,
          reply,
          place,
          input,
          [fieldError(request, refusal.code, field)],
          statusOf(refusal.code),
        );
      }
    });

    app.post('/book/confirm', { config: SENSITIVE_ROUTE }, async (request, reply) => {
      const form = formOf(request);
      const place = await placeOf(form.slot);
      const input = identityInputOf(form);
      const { applicant, errors } = checkIdentity(input, place.slot.procedure.identityProof, place.asOf, t(request), {
        contact: true,
      });
      if (!applicant) return showDetails(request, reply, place, input, errors, 400);
      const idempotencyKey = IDEMPOTENCY_KEY.test(form.idempotencyKey ?? '')
        ? form.idempotencyKey!
        : booking.newIdempotencyKey();
      const state = { verificationId: form.verificationId ?? '', idempotencyKey, sentTo: applicant.email };
      const code = (form.code ?? '').trim();
      if (code === '')
        return showCode(
          request,
          reply,
          place,
          input,
          state,
          [{ field: 'code', message: t(request)('field.code.missing') }],
          400,
        );
      const pow = await checkPow(request, reply, idempotencyKey);
      if (pow) return showCode(request, reply, place, input, state, powErrors(request, pow), statusOf(pow.code));
      try {
        const { confirmation } = await booking.bookSlot(
          {
            slotId: place.slot.id,
            applicant,
            emailProof: { verificationId: state.verificationId, code },
            language: languageOf(request),
          },
          { idempotencyKey, origin: { ip: request.ip, route: 'POST /book/confirm', device: deviceOf(request) } },
        );
        setManagementToken(reply, confirmation.managementToken, web.secureCookies);
        reply.setCookie(BOOKED_COOKIE, '1', {
          path: '/book/done',
          httpOnly: true,
          sameSite: 'lax',
          secure: web.secureCookies,
          maxAge: 1800,
        });
        return reply.redirect('/book/done', 303);
      } catch (error) {
        const refusal = refusalOf(error);
        if (PAGE_REFUSALS.has(refusal.code)) throw refusal;
        const status = statusOf(refusal.code);
        if (SLOT_REFUSALS.has(refusal.code))
          return showSlots(request, reply, slotsOf(place), [fieldError(request, refusal.code)], status);
        if (refusal.code in IDENTITY_REFUSALS) {
          const alternative = refusal.details?.alternativeProcedureId;
          return showDetails(
            request,
            reply,
            place,
            input,
            [identityRefusal(request, refusal, place)],
            status,
            typeof alternative === 'string' ? alternative : undefined,
          );
        }
        // A wrong code, or a passing trouble: the same step again, under a new key (the refusal is kept under the old one).
        const field = refusal.code === 'EMAIL_CODE_INVALID' ? 'code' : undefined;
        return showCode(
          request,
          reply,
          place,
          input,
          { ...state, idempotencyKey: booking.newIdempotencyKey() },
          [fieldError(request, refusal.code, field)],
          status,
        );
      }
    });

    /** The message of an identity refusal: the registry's dates or the procedure to choose instead when it gave them. */
    function identityRefusal(request: FastifyRequest, refusal: DomainError, place: SlotPlace): FieldError {
      const field = IDENTITY_REFUSALS[refusal.code] ?? undefined;
      const details = refusal.details ?? {};
      if (
        refusal.code === 'OUTSIDE_RENEWAL_WINDOW' &&
        typeof details.opensOn === 'string' &&
        typeof details.closesOn === 'string'
      ) {
        const tz = place.prefecture.timeZone;
        return {
          message: t(request)('refusal.renewalWindow', {
            opensOn: formatLocalDate(request, details.opensOn, tz),
            closesOn: formatLocalDate(request, details.closesOn, tz),
          }),
        };
      }
      return fieldError(request, refusal.code, field);
    }

    app.get('/book/done', async (request, reply) => {
      const token = readManagementToken(request);
      if (!token || !request.cookies[BOOKED_COOKIE]) return reply.redirect('/manage', 303);
      const details = await booking.viewAppointmentDetails(token);
      return sendPage(request, reply, 'booking/done', {
        title: t(request)('done.title'),
        ...appointmentData(request, details),
        managementToken: token,
      });
    });
  };

function formatLocalDate(request: FastifyRequest, date: string, timeZone: string): string {
  return formatDateFor(languageOf(request))(date, timeZone, 'date');
}
