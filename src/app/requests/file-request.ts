// Filing an appointment request (every procedure done at a counter): one request per person
// and procedure, whatever the timing — the database decides (a unique index on live
// requests, and a trigger against a request next to an active appointment: migration 0003).
//
// The same checks as a direct booking (app/booking/book-slot.ts), in the same order: the email code
// first (checked before, spent inside the transaction: a refused request leaves it usable),
// then the catalogue and the identity proof the procedure requires, then — last, so that
// only people who own an inbox and typed a well-formed request reach it — the registry for
// procedures that check it. The proof of work and the per-IP rate limits are checked
// earlier, at the HTTP edge.
//
// Urgency comes from facts (domain/priority.ts urgencyOnFiling): for procedures that check
// the registry, the registry's permit expiry; otherwise a declared expiry date waits for an
// agent to confirm it before it gives any priority.
//
// The batch: a request joins the batch of the prefecture's local day of filing; within a
// batch, the draw's lottery decides — the instant of filing plays no part. Refiling after a
// withdrawal or cancellation is allowed, but joins today's batch like anyone's, and the third
// within 30 days starts a cooling-off (domain/churn-rules.ts).
//
// The acknowledgement (with the management link) is written to the outbox in the filing's
// transaction.
import { assertPlausibleBirthDate, requiredIdentityMaterial } from '../../domain/booking-rules.ts';
import { assertNotCoolingOff, churnWindowStart } from '../../domain/churn-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import type { ApplicantIdentity, CallerIdentity } from '../../domain/identity.ts';
import { DEFAULT_LANGUAGE, type Language } from '../../domain/language.ts';
import { localDateOf } from '../../domain/local-time.ts';
import { urgencyOnFiling } from '../../domain/priority.ts';
import {
  assertRequestable,
  assertUrgencyDate,
  normalisePreferences,
  type PreferencesInput,
} from '../../domain/request-rules.ts';
import type { Prefecture, Procedure } from '../../ports/booking-store.ts';
import {
  type AllocationRequest,
  type NewRequest,
  RequestReferenceTaken,
  type RequestTransaction,
} from '../../ports/request-store.ts';
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
import { scoreAndHold } from '../fraud/score-requests.ts';
import { requestFiledNotification } from '../notifications/notifications.ts';
import type { RequestOrigin } from '../shared/context.ts';
import { createOnce, fingerprintOf } from '../shared/idempotency.ts';
import { numberForTextMessages } from '../sms/refused-text-messages.ts';
import type { RequestContext } from './request-context.ts';
import { describeRequest, type RequestView } from './view-request.ts';

export interface FileRequestInput {
  prefectureId: string;
  procedureId: string;
  preferences: PreferencesInput;
  /** Expiry date of the permit or récépissé (YYYY-MM-DD); absent or null: none declared. */
  urgencyDate?: string | null | undefined;
  applicant: ApplicantIdentity;
  /** 'online' (the default) needs `emailProof`; agents filing by phone or at the counter do not. */
  channel?: 'online' | 'phone' | 'counter';
  emailProof?: EmailProof | undefined;
  /** The language of the applicant's messages (French by default). */
  language?: Language | undefined;
}

/** By phone or at the counter (the email is still required: the offers are sent by email). */
export type CallerFileRequestInput = Omit<FileRequestInput, 'applicant'> & { applicant: CallerIdentity };

export interface FileRequestOptions {
  idempotencyKey?: string | undefined;
  origin?: RequestOrigin;
  /** More writes in the filing's transaction, after the request (an agent's audit event). Not run on an idempotent replay. */
  alsoInTransaction?: ((tx: RequestTransaction, request: AllocationRequest) => Promise<void>) | undefined;
}

export interface RequestConfirmation {
  /** With its reference, its position in its priority class and the estimated wait. */
  request: RequestView;
  /** Shown once: the only way to view, change, withdraw or attest the request. Stored as a digest. */
  managementToken: string;
}

export interface FileRequestResult {
  confirmation: RequestConfirmation;
  /** True when an earlier call with the same Idempotency-Key filed this request. */
  replayed: boolean;
}

interface Checked {
  request: NewRequest;
  procedure: Procedure;
  prefecture: Prefecture;
  token: string;
  email: VerifiedEmailCode | null;
  /** False: the box "no text messages" was ticked. */
  textMessages: boolean;
}

const IDEMPOTENCY_SCOPE = 'file-request';
const DEFAULT_ORIGIN: RequestOrigin = { ip: null, route: 'POST /api/requests' };

/** Everything decided before the write: email proof, procedure, preferences, identity, registry. */
async function check(ctx: RequestContext, input: CallerFileRequestInput, origin: RequestOrigin): Promise<Checked> {
  const { applicant } = input;
  // Offers are sent by email: a request needs one, whoever files it.
  if (applicant.email === null) {
    throw new DomainError('VALIDATION_FAILED', 'A request needs an email address: its offers are sent by email.', {
      errors: [{ path: 'applicant.email', message: 'required: the offers are sent by email' }],
    });
  }
  const email = await checkEmailProofOf(ctx, input, 'request', origin);
  const now = ctx.clock.now();
  const { procedure, prefecture, sites, receiving } = await ctx.requests.requestCatalogue(
    input.prefectureId,
    input.procedureId,
    now,
  );
  if (!procedure) throw new DomainError('PROCEDURE_NOT_FOUND');
  if (!prefecture) throw new DomainError('PREFECTURE_NOT_FOUND');
  assertRequestable(procedure);
  assertPlausibleBirthDate(applicant.birthDate, now);
  const material = requiredIdentityMaterial(applicant, procedure.identityProof);

  const today = localDateOf(now, prefecture.timeZone);
  const preferences = normalisePreferences(
    input.preferences,
    sites.map((s) => s.id),
    receiving,
  );
  const declared = input.urgencyDate ?? null;
  assertUrgencyDate(declared, today);
  const registry = await checkRegistryOf(ctx, procedure, applicant, origin, prefecture.timeZone, email);

  const token = ctx.secrets.managementToken();
  const stored = storedApplicant(ctx, applicant, procedure.identityProof, material, token);
  return {
    token,
    email,
    textMessages: applicant.textMessages !== false,
    procedure,
    prefecture,
    request: {
      reference: drawReference(ctx),
      prefectureId: prefecture.id,
      procedureId: procedure.id,
      ...preferences,
      ...urgencyOnFiling({ registryExpiry: registry?.record.permitExpiresOn ?? null, declared }),
      ...stored,
      // Checked above: a request always has an email.
      email: stored.email!,
      emailKey: stored.emailKey!,
      channel: input.channel ?? 'online',
      filedAt: now,
      queuedOn: today,
      language: input.language ?? DEFAULT_LANGUAGE,
      ...signalsOfFiling(ctx, input.channel ?? 'online', origin, stored.email!),
    },
  };
}

/** The write: the request, the email code spent with it and its acknowledgement (or none of them); the answer is read in the same transaction. */
async function commit(
  ctx: RequestContext,
  tx: RequestTransaction,
  checked: Checked,
  options: FileRequestOptions,
): Promise<RequestConfirmation> {
  const now = ctx.clock.now();
  assertNotCoolingOff(
    await tx.churnSince(checked.request.identityKey, checked.request.procedureId, churnWindowStart(now)),
    now,
  );
  const inserted = await noteIdentityMismatch(ctx, options.origin ?? DEFAULT_ORIGIN, checked.request, () =>
    tx.insertRequest(checked.request),
  );
  if (checked.email) await consumeEmailCode(tx, checked.email, now);
  await numberForTextMessages(
    ctx.hasher,
    tx,
    { phone: checked.request.phone ?? null, textMessages: checked.textMessages },
    now,
  );
  const { procedure, prefecture } = checked;
  // Scored in the filing's transaction: a held request is told so with its acknowledgement.
  const { messages: held } = await scoreAndHold(tx.fraud, fraudThresholdsOf(ctx), [inserted.id], 'filed', now);
  await tx.enqueueMessages(
    [
      requestFiledNotification(
        inserted,
        prefecture.name,
        { fr: procedure.nameFr, en: procedure.nameEn },
        checked.token,
        now,
      ),
      ...held,
    ],
    now,
  );
  if (options.alsoInTransaction) await options.alsoInTransaction(tx, inserted);
  return { request: await describeRequest(ctx, tx, inserted, checked.procedure), managementToken: checked.token };
}

export async function fileRequest(
  ctx: RequestContext,
  input: FileRequestInput | CallerFileRequestInput,
  options: FileRequestOptions = {},
): Promise<FileRequestResult> {
  const origin = options.origin ?? DEFAULT_ORIGIN;
  const { value, replayed } = await createOnce({
    idempotencyKey: options.idempotencyKey,
    scope: IDEMPOTENCY_SCOPE,
    fingerprint: () => fingerprintOf(ctx.hasher, input),
    check: () => check(ctx, input, origin),
    transaction: (work) => ctx.requests.transaction(work),
    commit: (tx: RequestTransaction, checked: Checked) => commit(ctx, tx, checked, options),
    isReferenceTaken: (e) => e instanceof RequestReferenceTaken,
  });
  return { confirmation: value, replayed };
}
