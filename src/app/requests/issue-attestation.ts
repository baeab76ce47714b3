// Issues the signed attestation of a request, opened by its management token: the facts as
// they stand now (status included), signed with the service's Ed25519 key under the
// attestation context. Any status may be attested — a withdrawn or closed request still
// proves the attempts that were made.
import {
  type AttestationFacts,
  type AttestationSubject,
  encodeAttestationPayload,
  formatAttestationToken,
  signedAttestationMessage,
} from '../../domain/attestation.ts';
import type { ConvocationSigner } from '../../ports/convocation-signer.ts';
import type { AllocationRequest } from '../../ports/request-store.ts';
import type { RequestContext } from './request-context.ts';
import { findRequestOfToken } from './view-request.ts';

export interface IssuedAttestation extends AttestationSubject {
  /** What the verification endpoint takes; printed on the attestation (and in its QR code). */
  token: string;
}

export function attestationFactsOf(request: AllocationRequest, issuedAt: Date): AttestationFacts {
  return {
    v: 1,
    requestId: request.id,
    reference: request.reference,
    prefectureId: request.prefectureId,
    procedureId: request.procedureId,
    surname: request.surname,
    givenNames: request.givenNames,
    birthDate: request.birthDate,
    filedAt: request.filedAt.toISOString(),
    status: request.status,
    issuedAt: issuedAt.toISOString(),
  };
}

export function signAttestation(signer: ConvocationSigner, facts: AttestationFacts): string {
  const payload = encodeAttestationPayload(facts);
  return formatAttestationToken(payload, signer.sign(signedAttestationMessage(payload)));
}

/** Where attestations are checked, from the service's public address. */
export const attestationVerifyUrl = (publicUrl: string): string =>
  `${publicUrl.replace(/\/+$/, '')}/attestation/verify`;

export async function attestationOfManagementToken(
  ctx: RequestContext & { publicUrl: string },
  signer: ConvocationSigner,
  managementToken: string,
): Promise<IssuedAttestation> {
  const { request, procedure } = await findRequestOfToken(ctx, managementToken);
  const prefecture = await ctx.store.getPrefecture(request.prefectureId);
  const facts = attestationFactsOf(request, ctx.clock.now());
  return {
    facts,
    token: signAttestation(signer, facts),
    prefectureName: prefecture?.name ?? request.prefectureId,
    procedureNameFr: procedure.nameFr,
    procedureNameEn: procedure.nameEn,
    timeZone: request.timeZone,
    verifyUrl: attestationVerifyUrl(ctx.publicUrl),
  };
}
