// Closes a site, or one of its counters, on a day or a range of days, with a reason.
//
// Design (the simplest that stays right under concurrency): everything happens in ONE
// transaction, and the confirmation is part of it.
//   1. insert the closure (materialisation and resync skip its days from then on);
//   2. withdraw every open slot of the site (or counter) on those days — free or booked;
//   3. closing one counter: first move each booked appointment on those slots to a free slot
//      of another counter of the same site at the same time (adapters: moveToOtherCounters —
//      the database's constraints decide each move, two closures at once never put two
//      appointments on one slot); the person keeps their day and time, nothing is sent;
//      then read the booked appointments left on those slots. Bookings racing the closure are settled by
//      the database (trigger appointment_slot_open, migration 0008): a booking that came first
//      is seen here, one that comes after finds its slot withdrawn;
//   4. if there are some and the agent did not confirm exactly those, roll everything back and
//      answer the list (CLOSURE_CONFIRMATION_REQUIRED): the first submit of the page shows it,
//      the agent confirms with the count (and, from the page, the references) they saw; a
//      booking or cancellation made in between changes them, so they see the new list rather
//      than cancel an appointment they never saw;
//   5. otherwise cancel them, and for each applicant with an email write to the outbox the
//      message that explains the closure, with the way back — the same for every procedure
//      (there are no booking modes):
//        - an appointment made from a request (a confirmed offer) → that request goes back to
//          the queue, in the draw's top class: a confirmed urgency of source 'closure', dated
//          the day before the closure was decided (domain/priority.ts: an urgency date before
//          the draw date is class 0), its batch unchanged; the applicant keeps their
//          request's link and reference;
//        - any other appointment (booked on an open slot, or by an agent) → the link to file a
//          request: freed slots go to a draw first, so there is nothing to rebook first come;
//      and their pending reminder is cancelled. Applicants without an email (booked by phone)
//      are in the confirmation list: the agents call them (their request, if any, is requeued);
//   6. pending offers of the withdrawn slots are withdrawn, their requests wait again;
//   7. one audit event per object: the closure (with the slots withdrawn), each appointment
//      cancelled, each request put back in the queue.

import { addDays } from '../../domain/calendar-date.ts';
import { assertNoProblems, closureProblems } from '../../domain/configuration-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import { isSlug } from '../../domain/identifiers.ts';
import { localDateOf } from '../../domain/local-time.ts';
import type { Agent } from '../../ports/agent-store.ts';
import type { CounterMove } from '../../ports/configuration/records.ts';
import type { AffectedAppointment, ConfigClosure } from '../../ports/configuration-store.ts';
import type { ClosureWayBack, NewOutboxMessage } from '../../ports/outbox.ts';
import type { SecretGenerator } from '../../ports/secrets.ts';
import type { AgentOrigin } from '../agents/agent-context.ts';
import { drawReference } from '../applicants/applicant-checks.ts';
import { type AuditedAction, recordAudit } from '../audit/record-audit.ts';
import { reminderKeys, textMessageTwins } from '../notifications/notifications.ts';
import type { ConfigurationContext } from './configuration-context.ts';
import { siteFor } from './configuration-scope.ts';

export interface CloseInput {
  siteId: string;
  /** null: the whole site. */
  counterId: string | null;
  dateFrom: string;
  dateTo: string;
  reason: string;
  /** The number of booked appointments the agent saw and confirmed cancelling. */
  confirmAppointments?: number | undefined;
  /** Optionally, their references: then the very same appointments must be there (the pages send them). */
  confirmReferences?: readonly string[] | undefined;
}

/** Whether the agent confirmed exactly these appointments: their count, and their references when given. */
function confirmed(input: CloseInput, appointments: readonly AffectedAppointment[]): boolean {
  if (input.confirmAppointments !== appointments.length) return false;
  if (input.confirmReferences === undefined) return true;
  const seen = new Set(input.confirmReferences);
  return seen.size === appointments.length && appointments.every((a) => seen.has(a.reference));
}

export type CloseResult =
  | {
      status: 'closed';
      closure: ConfigClosure;
      cancelled: AffectedAppointment[];
      /** Appointments moved to another counter at the same time (closing one counter). */
      moved: CounterMove[];
      slotsWithdrawn: number;
      requeued: number;
      offersWithdrawn: number;
    }
  | { status: 'needs-confirmation'; appointments: AffectedAppointment[]; moved: CounterMove[] };

class NeedsConfirmation extends Error {
  constructor(
    readonly appointments: AffectedAppointment[],
    readonly moved: CounterMove[],
  ) {
    super('closure needs confirmation');
  }
}

/**
 * The way back of an appointment a closure cancels: its request requeued; or, for someone who
 * had none, a request filed for them at the head of the queue (with an email: offers go by
 * email); without email, nothing can be sent: the agents call them ('call').
 */
export const wayBackKindOf = (a: Pick<AffectedAppointment, 'requestId' | 'email'>): 'requeued' | 'filed' | 'call' =>
  a.requestId ? 'requeued' : a.email !== null ? 'filed' : 'call';

function linkToFileOf(a: AffectedAppointment, prefectureId: string): ClosureWayBack {
  return {
    kind: 'request',
    path: `/request?${new URLSearchParams({ procedure: a.procedureId, prefecture: prefectureId }).toString()}`,
  };
}

function closureMessage(
  a: AffectedAppointment,
  reason: string,
  wayBack: ClosureWayBack,
  now: Date,
  managementToken: string | null,
): NewOutboxMessage {
  return {
    kind: 'appointment-closed',
    payload: {
      ...(managementToken ? { managementToken } : {}),
      appointment: {
        appointmentId: a.id,
        reference: a.reference,
        givenNames: a.givenNames,
        surname: a.surname,
        startsAt: a.startsAt.toISOString(),
        endsAt: a.endsAt.toISOString(),
        timeZone: a.timeZone,
        siteName: a.siteName,
        siteAddress: a.siteAddress,
        procedureName: { fr: a.procedureNameFr, en: a.procedureNameEn },
        sequence: a.rescheduleCount,
      },
      reason,
      wayBack,
    },
    recipient: a.email ?? '',
    language: a.language,
    dedupeKey: `appointment-closed:${a.id}`,
    deliverAfter: now,
  };
}

export async function closeSite(
  ctx: ConfigurationContext<
    'sites' | 'counters' | 'prefectures',
    'closures' | 'futureSlots' | 'appointments' | 'offers' | 'requests' | 'outbox' | 'audit'
  >,
  agent: Agent,
  input: CloseInput,
  origin: Pick<AgentOrigin, 'ip'>,
): Promise<CloseResult> {
  const site = await siteFor(ctx.store, agent, input.siteId);
  if (input.counterId !== null) {
    const counter = isSlug(input.counterId) ? await ctx.store.counters.get(input.counterId) : null;
    if (!counter || counter.siteId !== site.id) throw new DomainError('COUNTER_NOT_FOUND');
  }
  const prefecture = (await ctx.store.prefectures.get(site.prefectureId))!;
  const now = ctx.clock.now();
  const today = localDateOf(now, prefecture.timeZone);
  const reason = input.reason.trim();
  assertNoProblems(closureProblems({ dateFrom: input.dateFrom, dateTo: input.dateTo, reason }, today));

  try {
    return await ctx.store.transaction(async (tx) => {
      // Every event of this closure: by this agent, in this prefecture, at this instant, in this transaction.
      const audit = (event: Pick<AuditedAction, 'action' | 'target' | 'before' | 'after'>) =>
        recordAudit(tx.audit, { agent, prefectureId: prefecture.id, at: now, ip: origin.ip, ...event });
      const fields = {
        siteId: site.id,
        counterId: input.counterId,
        dateFrom: input.dateFrom,
        dateTo: input.dateTo,
        reason,
      };
      const closureId = await tx.closures.insert(fields);
      const slotIds = await tx.futureSlots.withdrawInRange(site.id, input.counterId, input.dateFrom, input.dateTo);
      const moved = input.counterId !== null ? await tx.appointments.moveToOtherCounters(slotIds, now) : [];
      const appointments = await tx.appointments.bookedOnSlots(slotIds);
      if (appointments.length > 0 && !confirmed(input, appointments)) throw new NeedsConfirmation(appointments, moved);
      for (const m of moved)
        await audit({
          action: 'appointment.move_counter',
          target: { type: 'appointment', id: m.id },
          before: { reference: m.reference, slotId: m.fromSlotId, counterId: input.counterId },
          after: { reference: m.reference, slotId: m.toSlotId, counterId: m.toCounterId, closureId },
        });

      await tx.appointments.cancel(
        appointments.map((a) => a.id),
        now,
      );
      await tx.outbox.cancelMessages(
        appointments.flatMap((a) => reminderKeys(a)),
        now,
      );
      const priorityDate = addDays(today, -1);
      const messages: NewOutboxMessage[] = [];
      let requeued = 0;
      for (const a of appointments) {
        const kind = wayBackKindOf(a);
        let wayBack: ClosureWayBack = linkToFileOf(a, prefecture.id);
        let managementToken: string | null = null;
        if (kind === 'requeued') wayBack = { kind: 'requeued', requestReference: a.requestReference! };
        if (kind === 'filed' && ctx.secrets && ctx.hasher) {
          const requestReference = drawReference({ secrets: ctx.secrets as SecretGenerator });
          managementToken = ctx.secrets.managementToken();
          const requestId = await tx.requests.fileAfterClosure({
            appointmentId: a.id,
            reference: requestReference,
            managementTokenHash: ctx.hasher.tokenDigest(managementToken),
            urgencyDate: priorityDate,
            queuedOn: today,
            now,
          });
          wayBack = { kind: 'filed', requestReference };
          await audit({
            action: 'allocation_request.file_after_closure',
            target: { type: 'allocation_request', id: requestId },
            after: {
              reference: requestReference,
              appointment: a.reference,
              status: 'waiting',
              urgencyDate: priorityDate,
              urgencySource: 'closure',
              closureId,
            },
          });
        }
        if (wayBack.kind === 'requeued') {
          await tx.requests.requeueAfterClosure(a.requestId!, priorityDate, now);
          requeued++;
          await audit({
            action: 'allocation_request.requeue',
            target: { type: 'allocation_request', id: a.requestId! },
            before: { status: 'booked' },
            after: {
              status: 'waiting',
              urgencyDate: priorityDate,
              urgencySource: 'closure',
              urgencyStatus: 'confirmed',
              closureId,
            },
          });
        }
        const closed = closureMessage(a, reason, wayBack, now, managementToken);
        if (a.email !== null) messages.push(closed);
        messages.push(...textMessageTwins(a.phone, [closed]));
        await audit({
          action: 'appointment.cancel',
          target: { type: 'appointment', id: a.id },
          before: { status: 'booked', reference: a.reference, startsAt: a.startsAt.toISOString() },
          after: {
            status: 'cancelled',
            closureId,
            wayBack: a.email === null && wayBack.kind === 'request' ? 'call' : wayBack.kind,
            emailed: a.email !== null,
            texted: a.phone !== null,
          },
        });
      }
      await tx.outbox.enqueueMessages(messages, now);
      const offerRequests = await tx.offers.withdrawOnSlots(slotIds, now);
      for (const requestId of offerRequests) {
        await audit({
          action: 'offer.withdraw',
          target: { type: 'allocation_request', id: requestId },
          before: { status: 'offered' },
          after: { status: 'waiting', closureId },
        });
      }
      const closure = { id: closureId, ...fields };
      await audit({
        action: 'closure.create',
        target: { type: 'closure', id: closureId },
        after: {
          ...closure,
          slotsWithdrawn: slotIds,
          appointmentsMoved: moved.map((m) => m.reference),
          appointmentsCancelled: appointments.map((a) => a.reference),
        },
      });
      return {
        status: 'closed',
        closure,
        cancelled: appointments,
        moved,
        slotsWithdrawn: slotIds.length,
        requeued,
        offersWithdrawn: offerRequests.length,
      };
    });
  } catch (error) {
    if (error instanceof NeedsConfirmation)
      return { status: 'needs-confirmation', appointments: error.appointments, moved: error.moved };
    throw error;
  }
}
