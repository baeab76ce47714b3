// The checks and the stored form of an applicant, alike for a direct booking and an
// appointment request: the email code (online only), the registry for procedures that check
// it, and the identity columns (normalised, keyed hash, token digest).

import { referenceFromRandomBytes } from '../../domain/booking-reference.ts';
import { storedIdentityNumbers } from '../../domain/booking-rules.ts';
import { normalisePhoneNumber } from '../../domain/callback-rules.ts';
import { DomainError, isDomainError } from '../../domain/errors.ts';
import {
  attributesMaterial,
  type CallerIdentity,
  documentCountryOf,
  emailKey,
  type IdentityProof,
  identityMaterial,
} from '../../domain/identity.ts';
import type { EmailCodePurpose } from '../../domain/one-time-code.ts';
import type { NewAppointment, Procedure } from '../../ports/booking-store.ts';
import type { AppContext, RequestOrigin } from '../shared/context.ts';
import { checkRegistry, type RegistryCheckPassed } from './check-registry.ts';
import {
  checkEmailCode,
  emailHashForEvents,
  spendTryOnRegistryCheck,
  type VerifiedEmailCode,
} from './email-verification.ts';

export interface EmailProof {
  verificationId: string;
  code: string;
}

/** A fresh reference (appointments and requests alike; each table keeps its own unique). */
export function drawReference(ctx: Pick<AppContext, 'secrets'>): string {
  for (;;) {
    const reference = referenceFromRandomBytes(ctx.secrets.randomBytes(16));
    if (reference) return reference;
  }
}

/**
 * Online, the email code for `purpose` (checked now, to be spent in the write's
 * transaction); null for agents writing by phone or at the counter. It comes first, so only
 * people who own an inbox can probe the registry.
 */
export async function checkEmailProofOf(
  ctx: AppContext,
  input: {
    applicant: CallerIdentity;
    channel?: 'online' | 'phone' | 'counter' | undefined;
    emailProof?: EmailProof | undefined;
  },
  purpose: EmailCodePurpose,
  origin: RequestOrigin,
): Promise<VerifiedEmailCode | null> {
  if ((input.channel ?? 'online') !== 'online') return null;
  if (!input.emailProof || input.applicant.email === null) throw new DomainError('EMAIL_CODE_INVALID');
  return checkEmailCode(ctx, {
    ...input.emailProof,
    email: input.applicant.email,
    purpose,
    ip: origin.ip,
    route: origin.route,
  });
}

/** Refusals of the registry check itself: each one costs the email code a try (issue 12 §6). */
const REGISTRY_REFUSALS: ReadonlySet<string> = new Set([
  'IDENTITY_NOT_VERIFIED',
  'PERMIT_EXPIRED',
  'OUTSIDE_RENEWAL_WINDOW',
]);

/**
 * The registry check of procedures that need it (AGDREF number, surname, birth date, renewal
 * window); null for the others. Online (`email`: the verified code), the check first spends
 * one of the code's tries and binds the code to the AGDREF number checked; the try comes back
 * when the check passes or cannot be made (registry down, limits), so only refusals cost one.
 * One code thus buys at most its tries' worth of registry checks, all on one AGDREF number: a
 * typo in the number needs a new code (a typo in the name or birth date costs one try).
 */
export async function checkRegistryOf(
  ctx: AppContext,
  procedure: Procedure,
  applicant: CallerIdentity,
  origin: RequestOrigin,
  timeZone: string,
  email: VerifiedEmailCode | null,
): Promise<RegistryCheckPassed | null> {
  if (!procedure.registryCheck || procedure.identityProof !== 'agdref') return null;
  const check = () =>
    checkRegistry(
      {
        registry: ctx.registry,
        limiter: ctx.limiter,
        events: ctx.securityEvents,
        clock: ctx.clock,
        hasher: ctx.hasher,
        limits: ctx.registryLimits,
      },
      {
        agdrefNumber: applicant.agdrefNumber!,
        surname: applicant.surname,
        birthDate: applicant.birthDate,
        procedure,
        ip: origin.ip,
        route: origin.route,
        timeZone,
      },
    );
  // A malformed number is refused by checkRegistry before any lookup: nothing to spend.
  const material = identityMaterial(applicant, 'agdref');
  if (!email || !material) return check();
  await spendTryOnRegistryCheck(ctx, email, ctx.hasher.identityKey(material), origin);
  try {
    const passed = await check();
    await ctx.emailVerifications.refundRegistryCheckTry(email.verificationId);
    return passed;
  } catch (e) {
    if (!(isDomainError(e) && REGISTRY_REFUSALS.has(e.code)))
      await ctx.emailVerifications.refundRegistryCheckTry(email.verificationId);
    throw e;
  }
}

/**
 * Runs the write; when the database refuses the document because it was given before with
 * other attributes (IDENTITY_MISMATCH), leaves a security event — evidence of a borrowed or
 * invented identity — before the refusal goes on to the applicant.
 */
export async function noteIdentityMismatch<T>(
  ctx: Pick<AppContext, 'securityEvents' | 'hasher'>,
  origin: RequestOrigin,
  stored: { identityKey: string; email: string | null },
  write: () => Promise<T>,
): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (isDomainError(e) && e.code === 'IDENTITY_MISMATCH') {
      ctx.securityEvents.record({
        ip: origin.ip,
        route: origin.route,
        reason: 'identity_mismatch',
        identityKey: stored.identityKey,
        emailHash: stored.email === null ? null : emailHashForEvents(ctx.hasher, stored.email),
      });
    }
    throw e;
  }
}

export type StoredApplicant = Pick<
  NewAppointment,
  | 'surname'
  | 'givenNames'
  | 'birthDate'
  | 'nationality'
  | 'email'
  | 'emailKey'
  | 'agdrefNumber'
  | 'passportNumber'
  | 'identityKey'
  | 'managementTokenHash'
  | 'documentCountry'
  | 'identityAttributesHash'
  | 'phone'
>;

/**
 * The applicant as stored: trimmed names, upper-case nationality, normalised numbers, keyed
 * identity (`material`: the document alone), keyed attributes (bound to the document by the
 * database), token digest.
 */
export function storedApplicant(
  ctx: Pick<AppContext, 'hasher'>,
  applicant: CallerIdentity,
  proof: IdentityProof,
  material: string,
  token: string,
): StoredApplicant {
  return {
    surname: applicant.surname.trim(),
    givenNames: applicant.givenNames.trim(),
    birthDate: applicant.birthDate,
    nationality: applicant.nationality.toUpperCase(),
    email: applicant.email === null ? null : applicant.email.trim(),
    emailKey: applicant.email === null ? null : emailKey(applicant.email),
    ...storedIdentityNumbers(applicant, proof),
    identityKey: ctx.hasher.identityKey(material),
    documentCountry: proof === 'passport' ? documentCountryOf(applicant) : null,
    identityAttributesHash: ctx.hasher.identityKey(attributesMaterial(applicant)),
    managementTokenHash: ctx.hasher.tokenDigest(token),
    phone: applicant.phone ? normalisePhoneNumber(applicant.phone) : null,
  };
}
