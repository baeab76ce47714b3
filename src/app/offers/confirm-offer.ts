// Confirming an offer makes the appointment, in one transaction: the same INSERT … SELECT as
// a direct booking (adapters/db/booking-store.ts insertAppointment), so the same constraints
// decide — one live appointment per slot, per person and procedure, the email cap. The
// appointment carries the request's identity, email, identity key, channel and management
// token digest: the token the applicant already holds now manages the appointment too
// (GET /api/appointment, the convocation, cancellation). The request becomes 'booked'.
//
// When the slot is no longer bookable (the prefecture withdrew it, e.g. a closure), the
// offer is recorded as withdrawn and the request goes back to the queue with its place and
// no count against it; the applicant is told OFFER_WITHDRAWN.
//
// The confirmation email (calendar event and convocation) and the reminder are written to
// the outbox in the same transaction.
import { DomainError } from '../../domain/errors.ts';
import { type NewAppointment, ReferenceTaken } from '../../ports/booking-store.ts';
import type { OfferRequest } from '../../ports/draw-store.ts';
import { drawReference } from '../applicants/applicant-checks.ts';
import { type AppointmentView, toAppointmentView } from '../booking/appointment-view.ts';
import type { AllocationContext } from '../draws/allocation-context.ts';
import { offerConfirmedNotifications } from '../notifications/notifications.ts';
import { type OfferView, toOfferView } from './offer-view.ts';
import { lockOfferOfToken } from './open-offer.ts';

export interface OfferConfirmation {
  appointment: AppointmentView;
  offer: OfferView;
}

const REFERENCE_ATTEMPTS = 3;

/** Confirming writes the request, the offer, the appointment and its emails. */
type ConfirmContext = AllocationContext<never, 'requests' | 'offers' | 'appointments' | 'outbox'>;

function appointmentOf(ctx: ConfirmContext, request: OfferRequest, slotId: string): NewAppointment {
  return {
    reference: drawReference(ctx),
    slotId,
    procedureId: request.procedureId,
    surname: request.surname,
    givenNames: request.givenNames,
    birthDate: request.birthDate,
    nationality: request.nationality,
    email: request.email,
    emailKey: request.emailKey,
    phone: request.phone,
    agdrefNumber: request.agdrefNumber,
    passportNumber: request.passportNumber,
    identityKey: request.identityKey,
    managementTokenHash: request.managementTokenHash,
    documentCountry: request.documentCountry,
    identityAttributesHash: request.identityAttributesHash,
    channel: request.channel,
    language: request.language,
  };
}

async function confirmOnce(ctx: ConfirmContext, managementToken: string): Promise<OfferConfirmation> {
  const outcome = await ctx.draws.transaction(async (tx) => {
    const { request, offer } = await lockOfferOfToken(ctx, tx, managementToken);
    const now = ctx.clock.now();
    // The request leaves the per-email count before the appointment joins it (the cap counts
    // both: migration 0012), so confirming never trips the cap it already satisfied.
    await tx.requests.update(request.id, { status: 'booked' }, now);
    const appointment = await tx.appointments.insert(appointmentOf(ctx, request, offer.slot.id), now);
    if (!appointment) {
      await tx.offers.update(offer.id, { status: 'withdrawn', decidedAt: now });
      await tx.requests.update(request.id, { status: 'waiting' }, now);
      return { kind: 'withdrawn' as const };
    }
    await tx.offers.update(offer.id, { status: 'confirmed', decidedAt: now, appointmentId: appointment.id });
    await tx.outbox.enqueueMessages(offerConfirmedNotifications(appointment, request.reference, now), now);
    const decided = { ...offer, status: 'confirmed' as const, decidedAt: now, appointmentId: appointment.id };
    return {
      kind: 'confirmed' as const,
      appointment,
      request: { ...request, status: 'booked' as const },
      offer: decided,
      now,
    };
  });
  if (outcome.kind === 'withdrawn') throw new DomainError('OFFER_WITHDRAWN');
  return {
    appointment: toAppointmentView(outcome.appointment),
    offer: toOfferView(outcome.offer, outcome.request, outcome.now),
  };
}

export async function confirmOffer(ctx: ConfirmContext, managementToken: string): Promise<OfferConfirmation> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await confirmOnce(ctx, managementToken);
    } catch (e) {
      if (e instanceof ReferenceTaken && attempt < REFERENCE_ATTEMPTS) continue;
      throw e;
    }
  }
}
