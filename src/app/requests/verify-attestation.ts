// Anyone holding an attestation — the applicant, a lawyer, a judge — can check it. The
// answer is the attested facts, read from the signed token itself, and whether they are
// still current (the request's status now). Anything that is not an attestation signed here
// gets one uniform refusal (ATTESTATION_INVALID); why is told only to the security log.
import { type AttestationFacts, parseAttestationToken, signedAttestationMessage } from '../../domain/attestation.ts';
import { DomainError } from '../../domain/errors.ts';
import type { RequestStatus } from '../../domain/request-rules.ts';
import type { ConvocationSigner } from '../../ports/convocation-signer.ts';
import type { RequestOrigin } from '../shared/context.ts';
import type { RequestContext } from './request-context.ts';

export interface VerifiedAttestation {
  attested: Omit<AttestationFacts, 'v' | 'requestId'> & {
    prefectureName: string;
    procedureNameFr: string;
    procedureNameEn: string;
  };
  /** The request now; null when it no longer exists (deleted under the retention schedule): the attested facts still stand. */
  current: { status: RequestStatus; checkedAt: string } | null;
  /** The request still exists and its status is the attested one. */
  stillCurrent: boolean;
}

type Refusal = 'malformed' | 'bad_signature' | 'mismatch';

export async function verifyAttestation(
  ctx: RequestContext,
  signer: ConvocationSigner,
  token: string,
  origin: RequestOrigin,
): Promise<VerifiedAttestation> {
  const refuse = (why: Refusal, reference?: string): never => {
    ctx.securityEvents.record({
      ip: origin.ip,
      route: origin.route,
      reason: 'attestation_invalid',
      details: { why, ...(reference ? { reference } : {}) },
    });
    throw new DomainError('ATTESTATION_INVALID');
  };
  const parsed = parseAttestationToken(token);
  if (!parsed) return refuse('malformed');
  if (!signer.verify(signedAttestationMessage(parsed.payloadBytes), parsed.signature)) return refuse('bad_signature');
  const { v: _, requestId, ...facts } = parsed.facts;

  const [request, prefecture, procedure] = await Promise.all([
    ctx.requests.findRequestById(requestId),
    ctx.store.getPrefecture(facts.prefectureId),
    ctx.store.getProcedure(facts.procedureId),
  ]);
  // Signed here, so this cannot differ unless the key signed something it should not have.
  if (
    request &&
    (request.reference !== facts.reference ||
      request.procedureId !== facts.procedureId ||
      request.filedAt.toISOString() !== facts.filedAt)
  ) {
    return refuse('mismatch', facts.reference);
  }
  return {
    attested: {
      ...facts,
      prefectureName: prefecture?.name ?? facts.prefectureId,
      procedureNameFr: procedure?.nameFr ?? facts.procedureId,
      procedureNameEn: procedure?.nameEn ?? facts.procedureId,
    },
    current: request ? { status: request.status, checkedAt: ctx.clock.now().toISOString() } : null,
    stillCurrent: request !== null && request.status === facts.status,
  };
}
