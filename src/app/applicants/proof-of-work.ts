// The proof of work a client pays before sending a code, booking, filing or rescheduling: a
// challenge to solve, then its solution checked (and spent) before any use case runs. A
// refusal is recorded as a security event. Called by the HTTP guard (http/proof-of-work-guard.ts).
import { DomainError } from '../../domain/errors.ts';
import type { PowChallenge, PowVerdict, ProofOfWork } from '../../ports/proof-of-work.ts';
import type { SecurityEventLog, SecurityReason } from '../../ports/security-events.ts';

export interface ProofOfWorkContext {
  pow: ProofOfWork;
  securityEvents: SecurityEventLog;
}

const REASON_OF: Record<Exclude<PowVerdict, 'ok'>, SecurityReason> = {
  missing: 'pow_missing',
  invalid: 'pow_invalid',
  expired: 'pow_expired',
  replayed: 'pow_replayed',
};

/** A challenge for the client at `ip` (harder as its address, subnet or everyone asks more). */
export function createChallenge(ctx: ProofOfWorkContext, input: { ip: string }): Promise<PowChallenge> {
  return ctx.pow.createChallenge({ ip: input.ip });
}

export interface ProofOfWorkInput {
  /** The widget's base64 payload, if the request carried one. */
  payload: string | undefined;
  ip: string;
  /** "POST /api/bookings", for the security event of a refusal. */
  route: string;
  /** Who may present the solution again (proofOfWorkOwner of this very request); none: single use. */
  owner?: string | undefined;
}

/** Checks and spends the solution; throws PROOF_OF_WORK_REQUIRED or _REJECTED. */
export async function checkProofOfWork(ctx: ProofOfWorkContext, input: ProofOfWorkInput): Promise<void> {
  const verdict = await ctx.pow.verify(input.payload, { ip: input.ip, owner: input.owner });
  if (verdict === 'ok') return;
  ctx.securityEvents.record({ ip: input.ip, route: input.route, reason: REASON_OF[verdict] });
  if (verdict === 'missing') throw new DomainError('PROOF_OF_WORK_REQUIRED');
  throw new DomainError('PROOF_OF_WORK_REJECTED', undefined, { reason: verdict });
}

/** One Idempotency-Key sent again with another request: recorded (a client probing keys). */
export function noteIdempotencyKeyReused(ctx: ProofOfWorkContext, input: { ip: string; route: string }): void {
  ctx.securityEvents.record({ ip: input.ip, route: input.route, reason: 'idempotency_key_reused' });
}
