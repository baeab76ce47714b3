// Direct booking of one slot by one applicant. The database decides the race: two people
// on one slot, one person twice, or one email past its cap — a constraint refuses the
// loser, whatever the timing (see migrations/0001-booking-core.ts).
//
// Online, the applicant first proves the email with a one-time code (checked before, and
// consumed inside, the booking's transaction: a refused booking leaves the code usable),
// and procedures that need it check the AGDREF number against the registry. The proof of
// work and the per-IP rate limits are checked earlier, at the HTTP edge.
//
// The confirmation email (with the management link) and the reminder are written to the
// outbox in the booking's transaction: a refused or rolled-back booking sends nothing.
import {
  assertDirectlyBookable,
  assertPlausibleBirthDate,
  requiredIdentityMaterial,
} from '../../domain/booking-rules.ts';
import { assertNotCoolingOff, churnWindowStart } from '../../domain/churn-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import type { ApplicantIdentity, CallerIdentity } from '../../domain/identity.ts';
import { DEFAULT_LANGUAGE, type Language } from '../../domain/language.ts';
import {
  type Appointment,
  type BookingTransaction,
  type NewAppointment,
  ReferenceTaken,
} from '../../ports/booking-store.ts';
import {
  checkEmailProofOf,
  checkRegistryOf,
  drawReference,
  type EmailProof,
  noteIdentityMismatch,
  storedApplicant,
} from '../applicants/applicant-checks.ts';
import { consumeEmailCode, type VerifiedEmailCode } from '../applicants/email-verification.ts';
import { fraudThresholdsOf, signalsOfFiling } from '../fraud/filing-signals.ts';
import { scoreAppointment } from '../fraud/score-requests.ts';
import { bookedNotifications } from '../notifications/notifications.ts';
import type { AppContext, RequestOrigin } from '../shared/context.ts';
import { createOnce, fingerprintOf } from '../shared/idempotency.ts';
import { numberForTextMessages } from '../sms/refused-text-messages.ts';
import { type AppointmentView, toAppointmentView } from './appointment-view.ts';

export type { EmailProof } from '../applicants/applicant-checks.ts';

export interface BookSlotInput {
  slotId: string;
  applicant: ApplicantIdentity;
  /** 'online' (the default) needs `emailProof`; agents booking by phone or at the counter do not. */
  channel?: 'online' | 'phone' | 'counter';
  emailProof?: EmailProof | undefined;
  /** The language of the applicant's messages (French by default). */
  language?: Language | undefined;
}

/** By phone or at the counter, the caller may have no email (channel 'phone' or 'counter' only). */
export type CallerBookSlotInput = Omit<BookSlotInput, 'applicant'> & { applicant: CallerIdentity };

export interface BookSlotOptions {
  idempotencyKey?: string | undefined;
  origin?: RequestOrigin;
  /**
   * More writes in the booking's transaction, after the appointment (an agent's audit event):
   * they commit with it or not at all. Not run on an idempotent replay.
   */
  alsoInTransaction?: ((tx: BookingTransaction, appointment: Appointment) => Promise<void>) | undefined;
}

export interface BookingConfirmation {
  appointment: AppointmentView;
  /** Shown once: the only way to cancel or reschedule. Stored as a digest. */
  managementToken: string;
}

export interface BookSlotResult {
  confirmation: BookingConfirmation;
  /** True when an earlier request with the same Idempotency-Key made this booking. */
  replayed: boolean;
}

interface Checked {
  appointment: NewAppointment;
  token: string;
  email: VerifiedEmailCode | null;
  /** False: the box "no text messages" was ticked. */
  textMessages: boolean;
}

const IDEMPOTENCY_SCOPE = 'book-slot';
const DEFAULT_ORIGIN: RequestOrigin = { ip: null, route: 'POST /api/bookings' };

/** Everything decided before the write: email proof, slot and procedure, identity, registry. */
async function check(ctx: AppContext, input: CallerBookSlotInput, origin: RequestOrigin): Promise<Checked> {
  const { applicant } = input;
  const email = await checkEmailProofOf(ctx, input, 'booking', origin);
  const slot = await ctx.store.findSlot(input.slotId);
  if (!slot) throw new DomainError('SLOT_NOT_FOUND');
  // The agents' reserve is not offered online (the database refuses it too: migration 0010).
  if (slot.reservedForAgents && (input.channel ?? 'online') === 'online') throw new DomainError('SLOT_UNAVAILABLE');
  const { procedure } = slot;
  assertDirectlyBookable(procedure);
  assertPlausibleBirthDate(applicant.birthDate, ctx.clock.now());
  const material = requiredIdentityMaterial(applicant, procedure.identityProof);
  // Taken when read (that counter and every other one free at that time): refused at once,
  // without a transaction (most of a crowd's attempts). A time read free may still be lost in
  // the insert, which the database decides.
  if (slot.held) throw new DomainError('SLOT_TAKEN');
  await checkRegistryOf(ctx, procedure, applicant, origin, slot.timeZone, email);
  const token = ctx.secrets.managementToken();
  return {
    token,
    email,
    textMessages: applicant.textMessages !== false,
    appointment: {
      reference: drawReference(ctx),
      slotId: slot.id,
      procedureId: procedure.id,
      ...storedApplicant(ctx, applicant, procedure.identityProof, material, token),
      channel: input.channel ?? 'online',
      language: input.language ?? DEFAULT_LANGUAGE,
    },
  };
}

/** The write: the appointment, the email code spent with it, and its messages (or none of them). */
async function commit(
  ctx: AppContext,
  tx: BookingTransaction,
  checked: Checked,
  options: BookSlotOptions,
): Promise<BookingConfirmation> {
  const now = ctx.clock.now();
  assertNotCoolingOff(
    await tx.churnSince(checked.appointment.identityKey, checked.appointment.procedureId, churnWindowStart(now)),
    now,
  );
  const origin = options.origin ?? DEFAULT_ORIGIN;
  const appointment = {
    ...checked.appointment,
    ...signalsOfFiling(ctx, checked.appointment.channel, origin, checked.appointment.email),
  };
  const inserted = await noteIdentityMismatch(ctx, origin, appointment, () =>
    tx.insertAppointment(appointment, now, { anyCounter: true }),
  );
  if (!inserted) throw new DomainError('SLOT_UNAVAILABLE');
  if (checked.email) await consumeEmailCode(tx, checked.email, now);
  const phone = await numberForTextMessages(
    ctx.hasher,
    tx,
    { phone: inserted.phone, textMessages: checked.textMessages },
    now,
  );
  await tx.enqueueMessages(bookedNotifications({ ...inserted, phone }, checked.token, now), now);
  // The booking's score, in its transaction: flagged for the supervisors, never held.
  await scoreAppointment(tx, fraudThresholdsOf(ctx), inserted.id, now);
  if (options.alsoInTransaction) await options.alsoInTransaction(tx, inserted);
  return { appointment: toAppointmentView(inserted), managementToken: checked.token };
}

/**
 * With an Idempotency-Key, the key is claimed in the booking's transaction and the outcome
 * (success or lasting refusal) committed with it, so every replay gets the same answer
 * (see idempotency.ts).
 */
export async function bookSlot(
  ctx: AppContext,
  input: BookSlotInput | CallerBookSlotInput,
  options: BookSlotOptions = {},
): Promise<BookSlotResult> {
  const origin = options.origin ?? DEFAULT_ORIGIN;
  const { value, replayed } = await createOnce({
    idempotencyKey: options.idempotencyKey,
    scope: IDEMPOTENCY_SCOPE,
    fingerprint: () => fingerprintOf(ctx.hasher, input),
    check: () => check(ctx, input, origin),
    transaction: (work) => ctx.store.transaction(work),
    commit: (tx: BookingTransaction, checked: Checked) => commit(ctx, tx, checked, options),
    isReferenceTaken: (e) => e instanceof ReferenceTaken,
  });
  return { confirmation: value, replayed };
}
