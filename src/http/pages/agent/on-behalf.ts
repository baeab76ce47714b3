// Booking or filing for a caller, by phone or at the counter (permission 'channel.book'):
//   GET  /agent/on-behalf?procedure=&site=&way=   the procedure and site (the agent's), then
//                                            for every procedure done at a counter, either way:
//                                            way=book (default) → the free slots of the reserve
//                                            and the caller's identity; way=request → the request form
//   POST /agent/on-behalf/appointments       books → the confirmation: management code on
//                                            screen, printable convocation (print stylesheet)
//   POST /agent/on-behalf/requests           files → the request's reference and management code
// A refusal shows the form again with what was typed and the message next to its field.
// The success pages answer the POST itself (the management code is shown once and never
// stored in clear); reloading them books nothing twice (the same person is refused).
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { AgentChannelUseCases } from '../../../app/agent-channel/agent-channel-use-cases.ts';
import type { CallerChoices } from '../../../app/agent-channel/caller-choices.ts';
import type { ReservedSlots } from '../../../app/agent-channel/list-reserved-slots.ts';
import {
  type AgentChannel,
  callerEmailOf,
  callerPhoneOf,
  isAgentChannel,
  RESERVE_DAYS_PER_PAGE,
  reservePage,
} from '../../../domain/agent-channel-rules.ts';
import { addDays, isCalendarDate } from '../../../domain/calendar-date.ts';
import { displayPhoneNumber } from '../../../domain/callback-rules.ts';
import type { DomainError, ErrorCode } from '../../../domain/errors.ts';
import type { CallerIdentity, IdentityProof } from '../../../domain/identity.ts';
import { LANGUAGES, type Language } from '../../../domain/language.ts';
import { translator } from '../../../i18n/i18n.ts';
import type { Procedure } from '../../../ports/booking-store.ts';
import { Uuid } from '../../schemas.ts';
import { formatDateFor, languageOf } from '../../web/render.ts';
import { procedureName } from '../appointment-details.ts';
import {
  checkIdentity,
  errorsByField,
  type IdentityInput,
  identityFieldsFor,
  identityInputOf,
} from '../identity-form.ts';
import { type FieldError, fieldError, formOf, refusalOf, statusOf } from '../page-forms.ts';
import { agentWith, sendAgentPage } from './agent-area.ts';

/** What the agent does for the caller: book a slot of the reserve, or file a request (drawn). */
const WAYS = ['book', 'request'] as const;
type Way = (typeof WAYS)[number];

const Choice = z.object({
  procedure: z.string().max(100).optional(),
  site: z.string().max(64).optional(),
  way: z.enum(WAYS).optional().catch(undefined),
  /** The week of the reserve shown (1 to 4); a page out of range is the nearest (reservePage). */
  page: z.coerce.number().int().optional().catch(undefined),
  /** Booking for the caller of this call-back: its id only, the number is read by a use case. */
  callback: z.string().max(64).optional(),
});
type ChoiceQuery = {
  procedure?: string | undefined;
  site?: string | undefined;
  way?: Way | undefined;
  page?: number | undefined;
  callback?: string | undefined;
};

/** The booking form's address for these choices (the call-back's id kept along). */
function onBehalfHref(params: Record<string, string | undefined>): string {
  const defined = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '');
  return `/agent/on-behalf?${new URLSearchParams(defined).toString()}`;
}

/** The page number sent back by the booking form (hidden field), if it is one. */
const pageOf = (value: string | undefined): number | undefined => {
  const page = Number(value);
  return Number.isInteger(page) ? page : undefined;
};
const WEEKDAYS = [1, 2, 3, 4, 5, 6] as const;
const HALF_DAYS = ['am', 'pm'] as const;

/** Refusals answered on the form, and the field they concern (undefined: the summary only). */
const FORM_REFUSALS: Partial<Record<ErrorCode, string | undefined>> = {
  IDENTITY_NOT_VERIFIED: 'agdrefNumber',
  PERMIT_EXPIRED: undefined,
  OUTSIDE_RENEWAL_WINDOW: undefined,
  IDENTITY_PROOF_MISMATCH: undefined,
  VALIDATION_FAILED: undefined,
  ALREADY_BOOKED_FOR_PROCEDURE: undefined,
  ALREADY_REQUESTED_FOR_PROCEDURE: undefined,
  EMAIL_CAP_REACHED: 'email',
  REGISTRY_UNAVAILABLE: undefined,
  REGISTRY_ATTEMPTS_LIMITED: undefined,
  SLOT_TAKEN: 'slot',
  SLOT_UNAVAILABLE: 'slot',
  SLOT_NOT_FOUND: 'slot',
  DATE_RANGE_INVALID: 'urgencyDate',
};

/** Everything typed in the caller forms, to show again. */
interface CallerForm {
  identity: IdentityInput;
  /** As typed: blank when the caller gives none (then an email is needed). */
  phone: string;
  /** The box "no text messages" ticked: the number is for calls only. */
  noTextMessages: boolean;
  channel: AgentChannel;
  language: Language;
  slot: string;
  sites: string[];
  weekdays: number[];
  halfDays: string[];
  urgencyDate: string;
}

const blankForm = (): CallerForm => ({
  identity: identityInputOf({}),
  phone: '',
  noTextMessages: false,
  channel: 'phone',
  language: 'fr',
  slot: '',
  sites: [],
  weekdays: [1, 2, 3, 4, 5],
  halfDays: ['am', 'pm'],
  urgencyDate: '',
});

/** The values of a field sent once or several times (checkboxes). */
function manyOf(request: FastifyRequest, name: string): string[] {
  const value = ((request.body ?? {}) as Record<string, unknown>)[name];
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values
    .filter((v): v is string => typeof v === 'string')
    .slice(0, 50)
    .map((v) => v.slice(0, 64));
}

function callerFormOf(request: FastifyRequest): CallerForm {
  const form = formOf(request);
  return {
    identity: identityInputOf(form),
    phone: (form.phone ?? '').slice(0, 40),
    noTextMessages: (form.noTextMessages ?? '') !== '',
    channel: isAgentChannel(form.channel) ? form.channel : 'phone',
    language: LANGUAGES.find((l) => l === form.language) ?? 'fr',
    slot: (form.slot ?? '').slice(0, 64),
    sites: manyOf(request, 'sites'),
    weekdays: manyOf(request, 'weekdays')
      .map(Number)
      .filter((d) => Number.isInteger(d) && d >= 1 && d <= 7),
    halfDays: manyOf(request, 'halfDays'),
    urgencyDate: (form.urgencyDate ?? '').trim().slice(0, 10),
  };
}

/**
 * The identity checks of the online form, the email being optional: blank means the caller
 * has none (a stand-in address passes the form's check of that field, then is dropped).
 */
function checkCaller(
  form: CallerForm,
  proof: IdentityProof,
  now: Date,
  t: ReturnType<typeof translator>,
  agentT: ReturnType<typeof translator>,
): { applicant: CallerIdentity | null; errors: FieldError[] } {
  const input = form.identity;
  const noEmail = callerEmailOf(input.email) === null;
  const { applicant, errors } = checkIdentity(
    noEmail ? { ...input, email: 'caller@example.org' } : input,
    proof,
    now,
    t,
  );
  const phoneProblem = phoneProblemOf({ email: noEmail ? null : input.email, phone: form.phone });
  if (phoneProblem) errors.push({ field: 'phone', message: agentT(`field.phone.${phoneProblem}`) });
  if (!applicant || phoneProblem) return { applicant: null, errors };
  const caller = { ...applicant, email: noEmail ? null : applicant.email, phone: form.phone };
  return { applicant: form.noTextMessages ? { ...caller, textMessages: false } : caller, errors };
}

/** Why the caller's number is refused ("invalid", "required"), or null (domain/agent-channel-rules.ts callerPhoneOf). */
function phoneProblemOf(caller: { email: string | null; phone: string }): string | null {
  try {
    callerPhoneOf(caller);
    return null;
  } catch (error) {
    const details = refusalOf(error).details?.errors as { message?: string }[] | undefined;
    return details?.[0]?.message ?? 'invalid';
  }
}

/**
 * The reserve's weeks as links (DSFR pagination): each page named by its dates ("lundi 1 juin –
 * dimanche 7 juin"), the current one marked, previous and next when there are.
 */
function pagingOf(
  reserve: ReservedSlots,
  procedureId: string,
  siteId: string,
  callback: string | undefined,
  lang: Language,
) {
  const current = reserve.page ?? 1;
  const today = addDays(reserve.fromDate, -(current - 1) * RESERVE_DAYS_PER_PAGE);
  const format = formatDateFor(lang);
  const href = (page: number) =>
    onBehalfHref({ procedure: procedureId, site: siteId, way: 'book', page: String(page), callback });
  const pages = Array.from({ length: reserve.pages }, (_, i) => {
    const range = reservePage(today, i + 1);
    return {
      number: i + 1,
      href: href(i + 1),
      current: i + 1 === current,
      from: format(range.fromDate, reserve.timeZone, 'day'),
      to: format(range.toDate, reserve.timeZone, 'day'),
    };
  });
  return {
    pages,
    current: pages[current - 1]!,
    previousHref: current > 1 ? href(current - 1) : null,
    nextHref: current < reserve.pages ? href(current + 1) : null,
  };
}

export const agentOnBehalfPages =
  (channel: AgentChannelUseCases): FastifyPluginAsync =>
  async (app) => {
    const t = (request: FastifyRequest) => translator(languageOf(request), 'agent-channel');
    // The identity fields' messages worded for the agent ("Enter the caller's surname"), not the person.
    const booking = (request: FastifyRequest) => {
      const agentT = translator(languageOf(request), 'agent-channel');
      return ((key: string) => agentT(`caller${key[0]!.toUpperCase()}${key.slice(1)}`)) as ReturnType<
        typeof translator
      >;
    };

    /** The chosen procedure and site, when they are among the agent's choices. */
    function chosen(choices: CallerChoices, procedureId: string | undefined, siteId: string | undefined) {
      const procedure = choices.procedures.find((p) => p.id === procedureId) ?? null;
      const site = choices.sites.find((s) => s.id === siteId) ?? null;
      return { procedure, site };
    }

    async function showForm(
      request: FastifyRequest,
      reply: FastifyReply,
      query: ChoiceQuery,
      /** null: a fresh form (filled with the call-back's number when there is one). */
      typed: CallerForm | null = null,
      errors: FieldError[] = [],
      status = 200,
    ) {
      const agent = agentWith(request, 'channel.book');
      const choices = await channel.callerChoices(agent);
      const callback = query.callback ? await channel.callerOfCallback(agent, query.callback) : null;
      const form: CallerForm = typed ?? {
        ...blankForm(),
        ...(callback ? { phone: displayPhoneNumber(callback.phone), language: callback.language ?? 'fr' } : {}),
      };
      const { procedure, site } = chosen(choices, query.procedure, query.site);
      // A site named in the address but not among the agent's: say so (404 / 403), never show another form.
      if (query.site && !site) await channel.siteInScope(agent, query.site);
      const lang = languageOf(request);
      const way: Way = query.way ?? 'book';
      let reserve: ReservedSlots | null = null;
      if (procedure && site && way === 'book')
        reserve = await channel.listReservedSlots(agent, {
          procedureId: procedure.id,
          siteId: site.id,
          page: query.page ?? 1,
        });
      // The slot the agent chose stands for its time when the form comes back (app/agent-channel/keep-chosen-slot.ts).
      if (reserve && Uuid.safeParse(form.slot).success) reserve = await channel.keepChosenSlot(reserve, form.slot);
      const requestSites = procedure && site ? choices.sites.filter((s) => s.prefectureId === site.prefectureId) : [];
      const format = formatDateFor(lang);
      const days: { date: string; label: string; slots: { id: string; time: string; counters: number }[] }[] = [];
      for (const slot of reserve?.slots ?? []) {
        let day = days.find((d) => d.date === slot.localDate);
        if (!day)
          days.push(
            (day = { date: slot.localDate, label: format(slot.startsAt, reserve!.timeZone, 'date'), slots: [] }),
          );
        day.slots.push({
          id: slot.slotId,
          time: format(slot.startsAt, reserve!.timeZone, 'time'),
          counters: slot.freeCounters,
        });
      }
      return sendAgentPage(
        request,
        reply,
        'agent/on-behalf/index',
        {
          title: t(request)('title'),
          choices: {
            sites: choices.sites,
            procedures: choices.procedures.map((p) => ({ id: p.id, name: procedureName(p, lang) })),
          },
          procedure: procedure
            ? { id: procedure.id, name: procedureName(procedure, lang), identityProof: procedure.identityProof }
            : null,
          site,
          way,
          days,
          truncated: reserve?.truncated ?? false,
          paging:
            reserve && procedure && site ? pagingOf(reserve, procedure.id, site.id, callback?.callbackId, lang) : null,
          wayLinks:
            procedure && site
              ? Object.fromEntries(
                  WAYS.map((w) => [
                    w,
                    onBehalfHref({ procedure: procedure.id, site: site.id, way: w, callback: callback?.callbackId }),
                  ]),
                )
              : null,
          requestSites: requestSites.map((s) => ({
            id: s.id,
            name: s.name,
            checked: form.sites.length ? form.sites.includes(s.id) : s.id === site?.id,
          })),
          identityFields: procedure ? identityFieldsFor(procedure.identityProof) : [],
          form,
          callback: callback
            ? { id: callback.callbackId, reference: callback.reference, phone: displayPhoneNumber(callback.phone) }
            : null,
          values: form.identity,
          fieldErrors: errorsByField(errors),
          errors,
          weekdays: WEEKDAYS,
          halfDays: HALF_DAYS,
        },
        status,
      );
    }

    /** The message of a refusal, on its field when it has one. */
    function refusalError(request: FastifyRequest, refusal: DomainError): FieldError {
      if (refusal.code === 'VALIDATION_FAILED') {
        const errors = (refusal.details?.errors ?? []) as { path?: string; message?: string }[];
        const phone = errors.find((e) => e.path === 'applicant.phone');
        if (phone) return { field: 'phone', message: t(request)(`field.phone.${phone.message}`) };
        if (errors.some((e) => e.path === 'applicant.email'))
          return { field: 'email', message: t(request)('refusal.emailRequired') };
        if (errors.some((e) => e.path?.startsWith('preferences')))
          return { message: t(request)('refusal.preferences') };
      }
      return fieldError(request, refusal.code, FORM_REFUSALS[refusal.code]);
    }

    app.get('/agent/on-behalf', async (request, reply) => {
      const query = Choice.safeParse(request.query);
      return showForm(request, reply, query.success ? query.data : {});
    });

    app.post('/agent/on-behalf/appointments', async (request, reply) => {
      const agent = agentWith(request, 'channel.book');
      const body = formOf(request);
      const query = {
        procedure: body.procedure?.slice(0, 100),
        site: body.site?.slice(0, 64),
        way: 'book' as const,
        page: pageOf(body.page),
        callback: body.callback?.slice(0, 64) || undefined,
      };
      const form = callerFormOf(request);
      const { procedure, asOf } = await channel.callerFormSubject({ procedureId: query.procedure });
      if (!procedure)
        return showForm(
          request,
          reply,
          { callback: query.callback },
          form,
          [{ field: 'procedure', message: t(request)('field.procedure.missing') }],
          400,
        );
      const errors: FieldError[] = [];
      const slotId = Uuid.safeParse(form.slot);
      if (!slotId.success) errors.push({ field: 'slot', message: t(request)('field.slot.missing') });
      const { applicant, errors: identityErrors } = checkCaller(
        form,
        procedure.identityProof,
        asOf,
        booking(request),
        t(request),
      );
      errors.push(...identityErrors);
      if (!applicant || !slotId.success) return showForm(request, reply, query, form, errors, 400);
      try {
        const booked = await channel.bookForCaller(
          agent,
          { slotId: slotId.data, applicant, channel: form.channel, language: form.language },
          { ip: request.ip, route: 'POST /agent/on-behalf/appointments' },
        );
        const lang = languageOf(request);
        const a = booked.confirmation.appointment;
        return sendAgentPage(
          request,
          reply,
          'agent/on-behalf/booked',
          {
            title: t(request)('booked.title'),
            appointment: a,
            site: booked.site,
            channel: form.channel,
            procedureName: procedureName(procedure, lang),
            procedure: procedure,
            managementToken: booked.confirmation.managementToken,
            shortCode: booked.convocation.shortCode,
            qrDataUrl: await QRCode.toDataURL(booked.convocation.token, {
              errorCorrectionLevel: 'M',
              margin: 2,
              scale: 6,
            }),
            again: `/agent/on-behalf?${new URLSearchParams({ procedure: procedure.id, site: booked.site.id }).toString()}`,
          },
          201,
        );
      } catch (error) {
        const refusal = refusalOf(error);
        if (!(refusal.code in FORM_REFUSALS)) throw refusal;
        return showForm(
          request,
          reply,
          query,
          { ...form, slot: FORM_REFUSALS[refusal.code] === 'slot' ? '' : form.slot },
          [refusalError(request, refusal)],
          statusOf(refusal.code),
        );
      }
    });

    app.post('/agent/on-behalf/requests', async (request, reply) => {
      const agent = agentWith(request, 'channel.book');
      const body = formOf(request);
      const query = {
        procedure: body.procedure?.slice(0, 100),
        site: body.site?.slice(0, 64),
        way: 'request' as const,
        callback: body.callback?.slice(0, 64) || undefined,
      };
      const form = callerFormOf(request);
      const { procedure, site, asOf } = await channel.callerFormSubject({
        procedureId: query.procedure,
        siteId: query.site,
      });
      if (!procedure || !site)
        return showForm(
          request,
          reply,
          { callback: query.callback },
          form,
          [{ field: 'procedure', message: t(request)('field.procedure.missing') }],
          400,
        );
      const errors: FieldError[] = [];
      const { applicant, errors: identityErrors } = checkCaller(
        form,
        procedure.identityProof,
        asOf,
        booking(request),
        t(request),
      );
      errors.push(...identityErrors);
      if (applicant && applicant.email === null)
        errors.push({ field: 'email', message: t(request)('refusal.emailRequired') });
      if (form.sites.length === 0) errors.push({ field: 'sites', message: t(request)('field.sites.missing') });
      if (form.weekdays.length === 0) errors.push({ field: 'weekdays', message: t(request)('field.weekdays.missing') });
      if (form.halfDays.length === 0) errors.push({ field: 'halfDays', message: t(request)('field.halfDays.missing') });
      if (form.urgencyDate !== '' && !isCalendarDate(form.urgencyDate))
        errors.push({ field: 'urgencyDate', message: t(request)('field.urgencyDate.invalid') });
      if (!applicant || errors.length > 0) return showForm(request, reply, query, form, errors, 400);
      try {
        const filed = await channel.fileForCaller(
          agent,
          {
            prefectureId: site.prefectureId,
            procedureId: procedure.id,
            preferences: { siteIds: form.sites, weekdays: form.weekdays, halfDays: form.halfDays },
            urgencyDate: form.urgencyDate === '' ? null : form.urgencyDate,
            applicant,
            channel: form.channel,
            language: form.language,
          },
          { ip: request.ip, route: 'POST /agent/on-behalf/requests' },
        );
        return sendAgentPage(
          request,
          reply,
          'agent/on-behalf/filed',
          {
            title: t(request)('filed.title'),
            request: filed.request,
            managementToken: filed.managementToken,
            procedureName: procedureName(procedure as Procedure, languageOf(request)),
            email: applicant.email,
            again: `/agent/on-behalf?${new URLSearchParams({ procedure: procedure.id, site: site.id, way: 'request' }).toString()}`,
          },
          201,
        );
      } catch (error) {
        const refusal = refusalOf(error);
        if (
          !(refusal.code in FORM_REFUSALS) &&
          refusal.code !== 'SITE_NOT_FOUND' &&
          refusal.code !== 'PROCEDURE_NOT_REQUESTABLE'
        )
          throw refusal;
        return showForm(request, reply, query, form, [refusalError(request, refusal)], statusOf(refusal.code));
      }
    });
  };
