// Moving an appointment, in two steps (the management token comes from the cookie only):
//   GET  /manage/reschedule[?site&week]  a week of free slots of the same procedure + the proof of work
//   POST /manage/reschedule/code          sends a code to the appointment's email (purpose 'reschedule') → the code step
//   POST /manage/reschedule               moves it → 303 /manage?done=rescheduled
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ApplicantUseCases } from '../../app/applicants/applicant-use-cases.ts';
import type { BookingUseCases } from '../../app/booking/booking-use-cases.ts';
import type { CatalogueUseCases } from '../../app/catalogue/catalogue-use-cases.ts';
import { DomainError, TRANSIENT_ERRORS } from '../../domain/errors.ts';
import { localDateOf } from '../../domain/local-time.ts';
import { translator } from '../../i18n/i18n.ts';
import { SENSITIVE_ROUTE } from '../rate-limit.ts';
import { Uuid } from '../schemas.ts';
import { readManagementToken } from '../web/management-cookie.ts';
import { languageOf, POW_HEAD, POW_SCRIPTS, sendPage } from '../web/render.ts';
import { type AppointmentDetails, appointmentData, procedureName } from './appointment-details.ts';
import { type FieldError, fieldError, formOf, powErrors, proofOfWorkCheck, refusalOf, statusOf } from './page-forms.ts';
import { freeSlotWeek } from './slot-picker.ts';

const Choice = z.object({ site: z.string().max(64).optional(), week: z.string().max(10).optional() });
type SlotsChoice = z.infer<typeof Choice>;
const SLOT_REFUSALS = new Set(['SLOT_TAKEN', 'SLOT_UNAVAILABLE', 'SLOT_NOT_FOUND']);

export const reschedulePages =
  (
    booking: BookingUseCases,
    uses: { catalogue: CatalogueUseCases; applicants: ApplicantUseCases },
  ): FastifyPluginAsync =>
  async (app) => {
    const { catalogue, applicants } = uses;
    const checkPow = proofOfWorkCheck(applicants);
    const t = (request: FastifyRequest) => translator(languageOf(request), 'manage');

    /** The appointment of the cookie's token, if it can still be moved; otherwise the answer (a redirect to /manage). */
    async function movable(request: FastifyRequest): Promise<{ token: string; details: AppointmentDetails } | null> {
      const token = readManagementToken(request);
      if (!token) return null;
      const details = await booking.viewAppointmentDetails(token);
      return appointmentData(request, details).canReschedule ? { token, details } : null;
    }

    async function showSlots(
      request: FastifyRequest,
      reply: FastifyReply,
      details: AppointmentDetails,
      choice: SlotsChoice,
      errors: FieldError[] = [],
      status = 200,
    ) {
      const { appointment, site: current, procedure } = details;
      const { prefecture, sites } = await catalogue.sitesOffering({
        prefectureId: current.prefectureId,
        procedureId: procedure.id,
      });
      const site = sites.find((s) => s.id === choice.site) ?? current;
      const week = await freeSlotWeek(booking, {
        procedure,
        prefecture,
        siteId: site.id,
        week: choice.week,
        exclude: { siteId: appointment.siteId, startsAt: appointment.startsAt },
      });
      return sendPage(
        request,
        reply,
        'manage/reschedule',
        {
          title: t(request)('reschedule.title'),
          ...appointmentData(request, details),
          prefecture,
          sites,
          chosenSite: site,
          week,
          errors,
          head: POW_HEAD,
          scripts: POW_SCRIPTS,
        },
        status,
      );
    }

    async function showCode(
      request: FastifyRequest,
      reply: FastifyReply,
      details: AppointmentDetails,
      slotId: string,
      verificationId: string,
      errors: FieldError[] = [],
      status = 200,
    ) {
      const { slot, site, prefecture } = await booking.describeSlot(slotId);
      const place = {
        procedureName: procedureName(slot.procedure, languageOf(request)),
        siteName: site.name,
        siteAddress: site.address,
        startsAt: slot.startsAt,
        timeZone: prefecture.timeZone,
      };
      return sendPage(
        request,
        reply,
        'manage/reschedule-code',
        {
          title: t(request)('rescheduleCode.title'),
          sentTo: details.appointment.applicant.email,
          slotId,
          verificationId,
          place,
          errors,
          codeError: errors.find((e) => e.field === 'code')?.message,
          head: POW_HEAD,
          scripts: POW_SCRIPTS,
        },
        status,
      );
    }

    /** The week of a refused slot, to show the list again around it. */
    async function choiceAround(slotId: string): Promise<SlotsChoice> {
      const place = await booking.describeSlot(slotId).catch(() => null);
      return place ? { site: place.site.id, week: localDateOf(place.slot.startsAt, place.prefecture.timeZone) } : {};
    }

    app.get('/manage/reschedule', async (request, reply) => {
      const found = await movable(request);
      if (!found) return reply.redirect('/manage', 303);
      const choice = Choice.safeParse(request.query);
      return showSlots(request, reply, found.details, choice.success ? choice.data : {});
    });

    // A reload or a language switch on the code step starts the choice again.
    app.get('/manage/reschedule/code', async (_request, reply) => reply.redirect('/manage/reschedule', 303));

    app.post('/manage/reschedule/code', { config: SENSITIVE_ROUTE }, async (request, reply) => {
      const found = await movable(request);
      if (!found) return reply.redirect('/manage', 303);
      const form = formOf(request);
      const choice = { site: form.site, week: form.week };
      const slotId = Uuid.safeParse(form.slot);
      if (!slotId.success)
        return showSlots(
          request,
          reply,
          found.details,
          choice,
          [{ field: 'slot', message: translator(languageOf(request), 'booking')('slots.chooseSlot') }],
          400,
        );
      const pow = await checkPow(request, reply);
      if (pow) return showSlots(request, reply, found.details, choice, powErrors(request, pow), statusOf(pow.code));
      try {
        const email = found.details.appointment.applicant.email;
        if (email === null) throw new DomainError('RESCHEDULE_NEEDS_EMAIL');
        const sent = await applicants.sendEmailCode({
          email,
          purpose: 'reschedule',
          ip: request.ip,
          route: 'POST /manage/reschedule/code',
          language: languageOf(request),
        });
        return await showCode(request, reply, found.details, slotId.data, sent.verificationId);
      } catch (error) {
        const refusal = refusalOf(error);
        return showSlots(
          request,
          reply,
          found.details,
          choice,
          [fieldError(request, refusal.code)],
          statusOf(refusal.code),
        );
      }
    });

    app.post('/manage/reschedule', { config: SENSITIVE_ROUTE }, async (request, reply) => {
      const token = readManagementToken(request);
      if (!token) return reply.redirect('/manage', 303);
      const details = await booking.viewAppointmentDetails(token);
      const form = formOf(request);
      const slotId = Uuid.safeParse(form.slot);
      if (!slotId.success) return reply.redirect('/manage/reschedule', 303);
      const verificationId = form.verificationId ?? '';
      const code = (form.code ?? '').trim();
      // A double click: the first request moved the appointment, the second finds its code or solution spent.
      const movedThere = async () => (await booking.viewAppointmentDetails(token)).appointment.slotId === slotId.data;
      if (details.appointment.slotId === slotId.data) return reply.redirect('/manage?done=rescheduled', 303);
      if (code === '')
        return showCode(
          request,
          reply,
          details,
          slotId.data,
          verificationId,
          [{ field: 'code', message: translator(languageOf(request), 'booking')('field.code.missing') }],
          400,
        );
      const pow = await checkPow(request, reply);
      if (pow) {
        if (await movedThere()) return reply.redirect('/manage?done=rescheduled', 303);
        return showCode(
          request,
          reply,
          details,
          slotId.data,
          verificationId,
          powErrors(request, pow),
          statusOf(pow.code),
        );
      }
      try {
        await booking.rescheduleAppointment(
          { managementToken: token, slotId: slotId.data, emailProof: { verificationId, code } },
          { ip: request.ip, route: 'POST /manage/reschedule' },
        );
        return reply.redirect('/manage?done=rescheduled', 303);
      } catch (error) {
        const refusal = refusalOf(error);
        const status = statusOf(refusal.code);
        if (SLOT_REFUSALS.has(refusal.code))
          return showSlots(
            request,
            reply,
            details,
            await choiceAround(slotId.data),
            [fieldError(request, refusal.code)],
            status,
          );
        if (refusal.code === 'EMAIL_CODE_INVALID') {
          if (await movedThere()) return reply.redirect('/manage?done=rescheduled', 303);
          return showCode(
            request,
            reply,
            details,
            slotId.data,
            verificationId,
            [fieldError(request, refusal.code, 'code')],
            status,
          );
        }
        if (TRANSIENT_ERRORS.has(refusal.code))
          return showCode(
            request,
            reply,
            details,
            slotId.data,
            verificationId,
            [fieldError(request, refusal.code)],
            status,
          );
        throw refusal;
      }
    });
  };
