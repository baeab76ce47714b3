// An agent checks a convocation (scanned token or typed short code). The answer is the
// person's identity and appointment, or one uniform refusal: whether the token was altered,
// unknown, cancelled, expired or of a site the agent does not serve (another prefecture, or
// another site for a counter agent) is told to nobody but the security log — an agent of 93
// learns nothing of who holds an appointment in 973.
import type { AppointmentStatus } from '../../domain/agenda-rules.ts';
import { type AgentScope, can, canAccessSite } from '../../domain/agent-rules.ts';
import { isConvocationHonoured, parseShortCode, parseToken, signedMessage } from '../../domain/convocation.ts';
import { DomainError } from '../../domain/errors.ts';
import type { Clock } from '../../ports/clock.ts';
import type { ConvocationSigner } from '../../ports/convocation-signer.ts';
import type { ConvocationAppointment, ConvocationStore } from '../../ports/convocation-store.ts';
import type { SecurityEventLog } from '../../ports/security-events.ts';

export interface ConvocationContext {
  store: ConvocationStore;
  signer: ConvocationSigner;
  clock: Clock;
  securityEvents: SecurityEventLog;
}

export type ConvocationProof = { token: string } | { shortCode: string };

/** Where the attempt came from, for the security log. */
export interface VerificationOrigin {
  ip: string | null;
  route: string;
}

/** The statuses of an appointment whose convocation is honoured (isConvocationHonoured). */
type HonouredStatus = Extract<AppointmentStatus, 'booked' | 'arrived'>;

/** What an agent sees of a valid convocation: who, what, where and when; nothing else (no email, no document number). */
export type VerifiedConvocation = Pick<
  ConvocationAppointment,
  'id' | 'reference' | 'surname' | 'givenNames' | 'birthDate' | 'nationality' | 'procedureId' | 'siteId'
> & { startsAt: string; endsAt: string; status: HonouredStatus };

/** Why a verification failed: logged, never answered. */
type Refusal = 'malformed' | 'bad_signature' | 'expired' | 'unknown' | 'mismatch' | 'not_honoured' | 'out_of_scope';

type Outcome = { ok: true; appointment: ConvocationAppointment } | { ok: false; why: Refusal; reference?: string };

async function checkToken(ctx: ConvocationContext, raw: string, now: Date): Promise<Outcome> {
  const parsed = parseToken(raw);
  if (!parsed) return { ok: false, why: 'malformed' };
  const { payload } = parsed;
  if (!ctx.signer.verify(signedMessage(parsed.payloadBytes), parsed.signature))
    return { ok: false, why: 'bad_signature' };
  if (now.getTime() >= payload.exp * 1000) return { ok: false, why: 'expired', reference: payload.ref };
  const appointment = await ctx.store.findAppointmentById(payload.aid);
  if (!appointment) return { ok: false, why: 'unknown', reference: payload.ref };
  // Signed by us, so this cannot differ unless the key signed something it should not have.
  if (appointment.reference !== payload.ref) return { ok: false, why: 'mismatch', reference: payload.ref };
  return { ok: true, appointment };
}

async function checkShortCode(ctx: ConvocationContext, raw: string): Promise<Outcome> {
  const reference = parseShortCode(raw);
  if (!reference) return { ok: false, why: 'malformed' };
  const appointment = await ctx.store.findAppointmentByReference(reference);
  return appointment ? { ok: true, appointment } : { ok: false, why: 'unknown', reference };
}

/**
 * `agent` is who verifies (a check-in permission is needed): a convocation of a site they
 * do not serve is refused exactly like an unknown one.
 */
export async function verifyConvocation(
  ctx: ConvocationContext,
  agent: AgentScope,
  proof: ConvocationProof,
  origin: VerificationOrigin,
): Promise<VerifiedConvocation> {
  if (!can(agent, 'checkin.write')) throw new DomainError('FORBIDDEN_SCOPE');
  const now = ctx.clock.now();
  const via = 'token' in proof ? 'token' : 'short_code';
  let outcome = 'token' in proof ? await checkToken(ctx, proof.token, now) : await checkShortCode(ctx, proof.shortCode);
  if (
    outcome.ok &&
    !canAccessSite(agent, { id: outcome.appointment.siteId, prefectureId: outcome.appointment.prefectureId })
  ) {
    outcome = { ok: false, why: 'out_of_scope', reference: outcome.appointment.reference };
  }
  if (outcome.ok && !isConvocationHonoured(outcome.appointment, now)) {
    outcome = { ok: false, why: 'not_honoured', reference: outcome.appointment.reference };
  }
  if (!outcome.ok) {
    ctx.securityEvents.record({
      ip: origin.ip,
      route: origin.route,
      reason: 'convocation_invalid',
      details: { via, why: outcome.why, ...(outcome.reference ? { reference: outcome.reference } : {}) },
    });
    throw new DomainError('CONVOCATION_INVALID');
  }
  const a = outcome.appointment;
  return {
    id: a.id,
    reference: a.reference,
    surname: a.surname,
    givenNames: a.givenNames,
    birthDate: a.birthDate,
    nationality: a.nationality,
    procedureId: a.procedureId,
    siteId: a.siteId,
    startsAt: a.startsAt.toISOString(),
    endsAt: a.endsAt.toISOString(),
    status: a.status as HonouredStatus,
  };
}
