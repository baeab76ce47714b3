// Issues the nominative convocation of an appointment: the signed token, its QR code (SVG)
// and the short code. Ed25519 signatures are deterministic, so issuing twice for the same
// appointment and times gives the same convocation; a reschedule gives a new one.
import QRCode from 'qrcode';
import {
  convocationExpiry,
  encodePayload,
  formatToken,
  isConvocationHonoured,
  QR_OPTIONS,
  shortCodeOf,
  signedMessage,
} from '../../domain/convocation.ts';
import { DomainError } from '../../domain/errors.ts';
import type { ConvocationSigner } from '../../ports/convocation-signer.ts';
import { lockAppointmentOfToken } from '../booking/manage-appointment.ts';
import type { AppContext } from '../shared/context.ts';

export interface ConvocationSubjectRef {
  /** Appointment id (UUID). */
  id: string;
  reference: string;
  endsAt: Date;
  /** The prefecture's time zone: the convocation runs to the end of that local day. */
  timeZone: string;
}

export interface IssuedConvocation {
  /** The QR content, 149 characters: A–Z, 2–7 and one ".". */
  token: string;
  /** What an agent types when the QR code cannot be read (the booking reference). */
  shortCode: string;
  /** A standalone <svg> of the QR code (version 6, error correction M). */
  qrSvg: string;
  /** ISO instant after which the token is refused. */
  expiresAt: string;
}

/** The signed token alone (for a caller that renders its own QR code). */
export function convocationToken(
  signer: ConvocationSigner,
  appointment: ConvocationSubjectRef,
): { token: string; exp: number } {
  const exp = convocationExpiry(appointment.endsAt, appointment.timeZone);
  const payloadBytes = encodePayload({ v: 1, ref: appointment.reference, aid: appointment.id, exp });
  return { token: formatToken(payloadBytes, signer.sign(signedMessage(payloadBytes))), exp };
}

export async function issueConvocation(
  signer: ConvocationSigner,
  appointment: ConvocationSubjectRef,
): Promise<IssuedConvocation> {
  const { token, exp } = convocationToken(signer, appointment);
  const qrSvg = await QRCode.toString(token, { ...QR_OPTIONS, type: 'svg' });
  return { token, shortCode: shortCodeOf(appointment.reference), qrSvg, expiresAt: new Date(exp * 1000).toISOString() };
}

/**
 * The convocation of the appointment a management token opens, while it can still be
 * honoured (booked and not ended, or checked in today); otherwise APPOINTMENT_NOT_ACTIVE.
 */
export async function convocationOfManagementToken(
  ctx: AppContext,
  signer: ConvocationSigner,
  managementToken: string,
): Promise<IssuedConvocation> {
  const appointment = await ctx.store.transaction((tx) => lockAppointmentOfToken(ctx, tx, managementToken));
  if (!isConvocationHonoured(appointment, ctx.clock.now())) {
    throw new DomainError('APPOINTMENT_NOT_ACTIVE', undefined, { status: appointment.status });
  }
  return issueConvocation(signer, appointment);
}
