// The request feature's use cases, bound to the request context and the signing key: filing
// (and where a request may go), what the management token allows (view, change, reconfirm,
// withdraw, the attestation), and the public check of an attestation.
import type { ConvocationSigner } from '../../ports/convocation-signer.ts';
import { viewAppointment } from '../booking/view-appointment.ts';
import type { RequestOrigin } from '../shared/context.ts';
import { newDeviceId } from '../shared/new-device-id.ts';
import { newIdempotencyKey } from '../shared/new-idempotency-key.ts';
import { bindUseCases } from '../shared/use-cases.ts';
import { changeRequestPreferences } from './change-request-preferences.ts';
import { fileRequest } from './file-request.ts';
import { findRequestTarget } from './find-request-target.ts';
import { attestationOfManagementToken } from './issue-attestation.ts';
import { reconfirmRequest } from './reconfirm-request.ts';
import type { RequestContext } from './request-context.ts';
import { verifyAttestation } from './verify-attestation.ts';
import { viewRequest } from './view-request.ts';
import { withdrawRequest } from './withdraw-request.ts';

export type RequestPorts = RequestContext & {
  signer: ConvocationSigner;
  /** The service's public address: the attestation names its verification page. */
  publicUrl: string;
};

export const requestUseCases = (ports: RequestPorts) =>
  bindUseCases(ports, {
    findRequestTarget,
    fileRequest,
    newIdempotencyKey,
    newDeviceId,
    viewRequest,
    changeRequestPreferences,
    reconfirmRequest,
    withdrawRequest,
    attestationOfManagementToken: (ctx: RequestPorts, managementToken: string) =>
      attestationOfManagementToken(ctx, ctx.signer, managementToken),
    verifyAttestation: (ctx: RequestPorts, token: string, origin: RequestOrigin) =>
      verifyAttestation(ctx, ctx.signer, token, origin),
    // A request's token that opens no request may open an appointment (booked on the
    // appointment pages): the request pages send it there.
    viewAppointment,
  });

export type RequestUseCases = ReturnType<typeof requestUseCases>;
