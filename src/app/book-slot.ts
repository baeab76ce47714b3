// Direct booking of one slot by one applicant. The database decides the race: two people
// on one slot, one person twice, or one email past its cap — a constraint refuses the
// loser, whatever the timing (see migrations/0001-booking-core.ts).
//
// Online, the applicant first proves the email with a one-time code (checked before, and
// consumed inside, the booking's transaction: a refused booking leaves the code usable),
// and procedures that need it check the AGDREF number against the registry. The proof of
// work and the per-IP rate limits are checked earlier, at the HTTP edge.
import { assertDirectlyBookable, assertPlausibleBirthDate, requiredIdentityMaterial, storedIdentityNumbers } from '../domain/booking-rules.ts';
import { referenceFromRandomBytes } from '../domain/booking-reference.ts';
import { DomainError, isDomainError, TRANSIENT_ERRORS, type ErrorCode } from '../domain/errors.ts';
import { emailKey, type ApplicantIdentity } from '../domain/identity.ts';
import { ReferenceTaken, type BookingTransaction, type NewAppointment } from '../ports/booking-store.ts';
import { toAppointmentView, type AppointmentView } from './appointment-view.ts';
import { checkRegistry } from './check-registry.ts';
import type { AppContext, RequestOrigin } from './context.ts';
import { checkEmailCode, consumeEmailCode, type VerifiedEmailCode } from './email-verification.ts';

export interface EmailProof {
  verificationId: string;
  code: string;
}

export interface BookSlotInput {
  slotId: string;
  applicant: ApplicantIdentity;
  /** 'online' (the default) needs `emailProof`; agents booking by phone or at the counter do not. */
  channel?: 'online' | 'phone' | 'counter';
  emailProof?: EmailProof | undefined;
}

export interface BookSlotOptions {
  idempotencyKey?: string | undefined;
  origin?: RequestOrigin;
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

interface Checked {
  appointment: NewAppointment;
  token: string;
  email: VerifiedEmailCode | null;
}

const IDEMPOTENCY_SCOPE = 'book-slot';
const REFERENCE_ATTEMPTS = 3;
const DEFAULT_ORIGIN: RequestOrigin = { ip: null, route: 'POST /api/bookings' };

function drawReference(ctx: AppContext): string {
  for (;;) {
    const reference = referenceFromRandomBytes(ctx.secrets.randomBytes(16));
    if (reference) return reference;
  }
}

/** Everything decided before the write: email proof, slot and procedure, identity, registry. */
async function check(ctx: AppContext, input: BookSlotInput, origin: RequestOrigin): Promise<Checked> {
  const { applicant } = input;
  const online = (input.channel ?? 'online') === 'online';
  // The email proof comes first, so only people who own an inbox can probe the registry.
  let email: VerifiedEmailCode | null = null;
  if (online) {
    if (!input.emailProof) throw new DomainError('EMAIL_CODE_INVALID');
    email = await checkEmailCode(ctx, { ...input.emailProof, email: applicant.email, purpose: 'booking', ip: origin.ip, route: origin.route });
  }
  const slot = await ctx.store.findSlot(input.slotId);
  if (!slot) throw new DomainError('SLOT_NOT_FOUND');
  const { procedure } = slot;
  assertDirectlyBookable(procedure);
  assertPlausibleBirthDate(applicant.birthDate, ctx.clock.now());
  const material = requiredIdentityMaterial(applicant, procedure.identityProof);
  if (procedure.registryCheck && procedure.identityProof === 'agdref') {
    await checkRegistry(
      { registry: ctx.registry, limiter: ctx.limiter, events: ctx.securityEvents, clock: ctx.clock, hasher: ctx.hasher, limits: ctx.registryLimits },
      { agdrefNumber: applicant.agdrefNumber!, surname: applicant.surname, birthDate: applicant.birthDate, procedure, ip: origin.ip, route: origin.route, timeZone: slot.timeZone },
    );
  }
  const token = ctx.secrets.managementToken();
  return {
    token,
    email,
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

/** The write: the appointment, and the email code spent with it (or neither). */
async function commit(ctx: AppContext, tx: BookingTransaction, checked: Checked): Promise<BookingConfirmation> {
  const now = ctx.clock.now();
  const inserted = await tx.insertAppointment(checked.appointment, now);
  if (!inserted) throw new DomainError('SLOT_UNAVAILABLE');
  if (checked.email) await consumeEmailCode(tx, checked.email, now);
  return { appointment: toAppointmentView(inserted), managementToken: checked.token };
}

function toStoredError(error: DomainError): StoredOutcome {
  return { ok: false, code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
}

function settle(outcome: StoredOutcome, replayed: boolean): BookSlotResult {
  if (!outcome.ok) throw new DomainError(outcome.code, outcome.message, outcome.details);
  return { confirmation: outcome.confirmation, replayed };
}

async function bookOnce(ctx: AppContext, input: BookSlotInput, origin: RequestOrigin): Promise<BookSlotResult> {
  const checked = await check(ctx, input, origin);
  // Without an email code to spend, the booking is one self-contained INSERT.
  const confirmation = checked.email
    ? await ctx.store.transaction((tx) => commit(ctx, tx, checked))
    : await (async () => {
        const inserted = await ctx.store.insertAppointment(checked.appointment, ctx.clock.now());
        if (!inserted) throw new DomainError('SLOT_UNAVAILABLE');
        return { appointment: toAppointmentView(inserted), managementToken: checked.token };
      })();
  return { confirmation, replayed: false };
}

/**
 * With an Idempotency-Key, the key is claimed in the booking's transaction and the outcome
 * (success or lasting refusal) committed with it, so every replay gets the same answer.
 * Checks run before the claim and their refusals are kept as data: a parallel twin whose
 * code was just spent by the first request still gets the first request's answer.
 */
async function bookIdempotently(ctx: AppContext, input: BookSlotInput, idempotencyKey: string, origin: RequestOrigin): Promise<BookSlotResult> {
  const { emailProof: _, ...identifying } = input;
  const fingerprint = ctx.hasher.fingerprint({ ...identifying, emailVerificationId: input.emailProof?.verificationId ?? null });
  const checked = await check(ctx, input, origin).catch((e: unknown) => {
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
    // A passing trouble (registry down, limits) is not this request's answer: nothing is kept.
    if (checked instanceof DomainError && TRANSIENT_ERRORS.has(checked.code)) throw checked;
    let outcome: StoredOutcome;
    if (checked instanceof DomainError) {
      outcome = toStoredError(checked);
    } else {
      try {
        // A savepoint, so that a refused insert still lets us commit the refusal with the key.
        outcome = { ok: true, confirmation: await tx.attempt(() => commit(ctx, tx, checked)) };
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

export async function bookSlot(ctx: AppContext, input: BookSlotInput, options: BookSlotOptions = {}): Promise<BookSlotResult> {
  const origin = options.origin ?? DEFAULT_ORIGIN;
  for (let attempt = 1; ; attempt++) {
    try {
      return options.idempotencyKey ? await bookIdempotently(ctx, input, options.idempotencyKey, origin) : await bookOnce(ctx, input, origin);
    } catch (e) {
      if (e instanceof ReferenceTaken && attempt < REFERENCE_ATTEMPTS) continue;
      throw e;
    }
  }
}
