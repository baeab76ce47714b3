// An agent books a slot of the reserve for a caller (by phone or at the counter). The same
// use case as online (app/booking/book-slot.ts): the same identity checks, the registry for the
// procedures that check it, one active appointment per person and procedure, no appointment
// next to a waiting request, the per-email cap, and the same emails (confirmation with the
// management link and the calendar file, reminder) — minus the email code.
//
// Without email the appointment is still made: the agent prints the convocation (QR code,
// short code, management code) and reads the management code to the caller on the phone.
// The audit event ('appointment.book_for_caller') commits in the booking's transaction.
import { type AgentChannel, bookingAuditRecord, callerPhoneOf } from '../../domain/agent-channel-rules.ts';
import type { AgentScope } from '../../domain/agent-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import type { CallerIdentity } from '../../domain/identity.ts';
import type { Language } from '../../domain/language.ts';
import type { Agent } from '../../ports/agent-store.ts';
import type { Site } from '../../ports/booking-store.ts';
import type { ConvocationSigner } from '../../ports/convocation-signer.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { type BookingConfirmation, bookSlot } from '../booking/book-slot.ts';
import { type IssuedConvocation, issueConvocation } from '../convocations/issue-convocation.ts';
import type { AppContext } from '../shared/context.ts';
import { siteInScope } from './caller-choices.ts';

export interface BookForCallerInput {
  slotId: string;
  applicant: CallerIdentity;
  channel: AgentChannel;
  language?: Language | undefined;
}

export interface BookedForCaller {
  confirmation: BookingConfirmation;
  /** The printable convocation: QR code, short code. */
  convocation: IssuedConvocation;
  site: Site;
}

/** Where the agent's request came from (the audit keeps the IP; the registry check counts per number, not per agent IP). */
export interface AgentRequestOrigin {
  ip: string | null;
  route: string;
}

export async function bookForCaller(
  ctx: AppContext,
  signer: ConvocationSigner,
  agent: Agent & AgentScope,
  input: BookForCallerInput,
  origin: AgentRequestOrigin,
): Promise<BookedForCaller> {
  const phone = callerPhoneOf(input.applicant);
  const slot = await ctx.store.findSlot(input.slotId);
  if (!slot) throw new DomainError('SLOT_NOT_FOUND');
  const site = await siteInScope(ctx, agent, slot.siteId);
  // Agents book from their reserve; the other slots are the public's.
  if (!slot.reservedForAgents)
    throw new DomainError('SLOT_UNAVAILABLE', 'This slot is not in the reserve of the phone and counter channel.');
  let appointmentId: string | null = null;
  const { confirmation } = await bookSlot(
    ctx,
    { slotId: slot.id, applicant: { ...input.applicant, phone }, channel: input.channel, language: input.language },
    {
      origin: { ip: null, route: origin.route },
      alsoInTransaction: async (tx, appointment) => {
        appointmentId = appointment.id;
        await recordAudit(tx, {
          agent,
          prefectureId: slot.prefectureId,
          action: 'appointment.book_for_caller',
          target: { type: 'appointment', id: appointment.id },
          after: bookingAuditRecord(appointment, input.channel, appointment.email !== null),
          at: ctx.clock.now(),
          ip: origin.ip,
        });
      },
    },
  );
  const a = confirmation.appointment;
  const convocation = await issueConvocation(signer, {
    id: appointmentId!,
    reference: a.reference,
    endsAt: new Date(a.endsAt),
    timeZone: a.timeZone,
  });
  return { confirmation, convocation, site };
}
