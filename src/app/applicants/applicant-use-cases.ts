// The applicants' checks, bound to their ports: proof of work (challenge, solution, the
// Idempotency-Key of the routes it guards), email codes, and the purge of what they leave.
import type { IdempotentRequest } from '../../ports/idempotent-response-store.ts';
import type { Hasher } from '../../ports/secrets.ts';
import {
  claimRequest,
  earlierAnswer,
  finishRequest,
  type IdempotentRequestInput,
  identifyRequest,
  proofOfWorkOwner,
} from '../shared/idempotent-requests.ts';
import { bindUseCases } from '../shared/use-cases.ts';
import type { EmailCodeDeps } from './email-verification.ts';
import {
  checkProofOfWork,
  createChallenge,
  noteIdempotencyKeyReused,
  type ProofOfWorkContext,
} from './proof-of-work.ts';
import { type ApplicantRecordsContext, purgeApplicantRecords } from './purge-applicant-records.ts';
import { sendEmailCode } from './send-email-code.ts';

export type ApplicantPorts = EmailCodeDeps & ProofOfWorkContext & ApplicantRecordsContext;

export const applicantUseCases = (ports: ApplicantPorts) =>
  bindUseCases(ports, {
    sendEmailCode,
    createChallenge,
    checkProofOfWork,
    noteIdempotencyKeyReused,
    identifyRequest: (ctx: { hasher: Hasher }, input: IdempotentRequestInput) => identifyRequest(ctx.hasher, input),
    proofOfWorkOwner: (ctx: { hasher: Hasher }, request: IdempotentRequest) => proofOfWorkOwner(ctx.hasher, request),
    earlierAnswer,
    claimRequest,
    finishRequest,
    purgeApplicantRecords,
  });

export type ApplicantUseCases = ReturnType<typeof applicantUseCases>;
