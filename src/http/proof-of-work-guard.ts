// The proof-of-work check of the routes that send a code, book or file a request: a Fastify
// preHandler, so a request without a valid, unused solution never reaches a use case.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../domain/errors.ts';
import type { PowVerdict, ProofOfWork } from '../ports/proof-of-work.ts';
import type { SecurityEventLog, SecurityReason } from '../ports/security-events.ts';

const REASON_OF: Record<Exclude<PowVerdict, 'ok'>, SecurityReason> = {
  missing: 'pow_missing',
  invalid: 'pow_invalid',
  expired: 'pow_expired',
  replayed: 'pow_replayed',
};

export function requireProofOfWork(pow: ProofOfWork, events: SecurityEventLog) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const body = request.body as { altcha?: unknown } | undefined;
    const payload = typeof body?.altcha === 'string' ? body.altcha : undefined;
    const idempotencyKey = request.headers['idempotency-key'];
    const verdict = await pow.verify(payload, { ip: request.ip, owner: typeof idempotencyKey === 'string' ? idempotencyKey : undefined });
    if (verdict === 'ok') return;
    const route = `${request.method} ${request.routeOptions.url ?? request.url}`;
    events.record({ ip: request.ip, route, reason: REASON_OF[verdict] });
    if (verdict === 'missing') throw new DomainError('PROOF_OF_WORK_REQUIRED');
    throw new DomainError('PROOF_OF_WORK_REJECTED', undefined, { reason: verdict });
  };
}
