// Direct booking of one slot by one applicant. The database decides the race: two people
// on one slot, one person twice, or one email past its cap — a constraint refuses the
// loser, whatever the timing (see migrations/0001-booking-core.ts).
import { assertDirectlyBookable, assertPlausibleBirthDate, requiredIdentityMaterial, storedIdentityNumbers } from '../domain/booking-rules.ts';
import { referenceFromRandomBytes } from '../domain/booking-reference.ts';
import { DomainError, isDomainError, type ErrorCode } from '../domain/errors.ts';
import { emailKey, type ApplicantIdentity } from '../domain/identity.ts';
import { ReferenceTaken, type NewAppointment } from '../ports/booking-store.ts';
import { toAppointmentView, type AppointmentView } from './appointment-view.ts';
import type { AppContext } from './context.ts';

export interface BookSlotInput {
  slotId: string;
  applicant: ApplicantIdentity;
  channel?: 'online' | 'phone' | 'counter';
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

type StoredOutcome =
  | { ok: true; confirmation: BookingConfirmation }
  | { ok: false; code: ErrorCode; message: string; details?: Record<string, unknown> };

const IDEMPOTENCY_SCOPE = 'book-slot';
const REFERENCE_ATTEMPTS = 3;

function drawReference(ctx: AppContext): string {
  for (;;) {
    const reference = referenceFromRandomBytes(ctx.secrets.randomBytes(16));
    if (reference) return reference;
  }
}

/** Everything that can be checked before touching the database's write path. */
async function prepare(ctx: AppContext, input: BookSlotInput): Promise<{ appointment: NewAppointment; token: string }> {
  const slot = await ctx.store.findSlot(input.slotId);
  if (!slot) throw new DomainError('SLOT_NOT_FOUND');
  const { procedure } = slot;
  assertDirectlyBookable(procedure);
  const { applicant } = input;
  assertPlausibleBirthDate(applicant.birthDate, ctx.clock.now());
  const material = requiredIdentityMaterial(applicant, procedure.identityProof);
  const token = ctx.secrets.managementToken();
  return {
    token,
    appointment: {
      reference: drawReference(ctx),
      slotId: slot.id,
      procedureId: procedure.id,
      surname: applicant.surname.trim(),
      givenNames: applicant.givenNames.trim(),
      birthDate: applicant.birthDate,
      nationality: applicant.nationality.toUpperCase(),
      email: applicant.email.trim(),
      emailKey: emailKey(applicant.email),
      ...storedIdentityNumbers(applicant, procedure.identityProof),
      identityKey: ctx.hasher.identityKey(material),
      managementTokenHash: ctx.hasher.tokenDigest(token),
      channel: input.channel ?? 'online',
    },
  };
}

function toStoredError(error: DomainError): StoredOutcome {
  return { ok: false, code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
}

function settle(outcome: StoredOutcome, replayed: boolean): BookSlotResult {
  if (!outcome.ok) throw new DomainError(outcome.code, outcome.message, outcome.details);
  return { confirmation: outcome.confirmation, replayed };
}

/** Without an Idempotency-Key the booking is one self-contained INSERT: nothing to replay. */
async function bookOnce(ctx: AppContext, input: BookSlotInput): Promise<BookSlotResult> {
  const { appointment, token } = await prepare(ctx, input);
  const inserted = await ctx.store.insertAppointment(appointment, ctx.clock.now());
  if (!inserted) throw new DomainError('SLOT_UNAVAILABLE');
  return { confirmation: { appointment: toAppointmentView(inserted), managementToken: token }, replayed: false };
}

/**
 * With an Idempotency-Key, the key is claimed in the booking's transaction and the outcome
 * (success or refusal) committed with it, so every replay gets the same answer.
 */
async function bookIdempotently(ctx: AppContext, input: BookSlotInput, idempotencyKey: string): Promise<BookSlotResult> {
  const fingerprint = ctx.hasher.fingerprint(input);
  const prepared = await prepare(ctx, input).catch((e: unknown) => {
    if (isDomainError(e)) return e;
    throw e;
  });
  const { outcome, replayed } = await ctx.store.transaction(async (tx) => {
    const claim = await tx.claimIdempotencyKey(idempotencyKey, IDEMPOTENCY_SCOPE, fingerprint);
    if (claim.kind === 'existing') {
      if (claim.fingerprint !== fingerprint) throw new DomainError('IDEMPOTENCY_KEY_REUSED');
      if (!claim.outcome) throw new DomainError('IDEMPOTENCY_IN_PROGRESS');
      return { outcome: claim.outcome as StoredOutcome, replayed: true };
    }
    let outcome: StoredOutcome;
    if (prepared instanceof DomainError) {
      outcome = toStoredError(prepared);
    } else {
      try {
        // A savepoint, so that a refused insert still lets us commit the refusal with the key.
        const appointment = await tx.attempt(async () => {
          const inserted = await tx.insertAppointment(prepared.appointment, ctx.clock.now());
          if (!inserted) throw new DomainError('SLOT_UNAVAILABLE');
          return inserted;
        });
        outcome = { ok: true, confirmation: { appointment: toAppointmentView(appointment), managementToken: prepared.token } };
      } catch (e) {
        if (!isDomainError(e)) throw e;
        outcome = toStoredError(e);
      }
    }
    await tx.saveIdempotencyOutcome(idempotencyKey, outcome);
    return { outcome, replayed: false };
  });
  return settle(outcome, replayed);
}

export async function bookSlot(ctx: AppContext, input: BookSlotInput, idempotencyKey?: string): Promise<BookSlotResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return idempotencyKey ? await bookIdempotently(ctx, input, idempotencyKey) : await bookOnce(ctx, input);
    } catch (e) {
      if (e instanceof ReferenceTaken && attempt < REFERENCE_ATTEMPTS) continue;
      throw e;
    }
  }
}
