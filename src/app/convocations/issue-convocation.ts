// Issues the nominative convocation of an appointment: the signed token, its QR code (SVG)
// and the short code. Ed25519 signatures are deterministic, so issuing twice for the same
// appointment and times gives the same convocation; a reschedule gives a new one.
import QRCode from 'qrcode';
import {
  convocationExpiry,
  encodePayload,
  formatToken,
  isConvocationHonoured,
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

/** The QR code's settings, alike on the page (SVG) and in emails (PNG). */
const QR_OPTIONS = { errorCorrectionLevel: 'M', margin: 2 } as const;
/**
 * pngjs's settings for the email's PNG: one row filter (Paeth, 4) instead of its adaptive
 * choice, which tries all five on every row — half the time (6.4 → 3.5 ms a code, on the thread
 * that also answers requests on the embedded database) for 1.6 % more bytes. Level 9 is the
 * default. Copied for each call: qrcode writes the image's size into it.
 */
const PNG_RENDERER = { filterType: 4, deflateLevel: 9 };

export async function issueConvocation(
  signer: ConvocationSigner,
  appointment: ConvocationSubjectRef,
): Promise<IssuedConvocation> {
  const { token, exp } = convocationToken(signer, appointment);
  const qrSvg = await QRCode.toString(token, { ...QR_OPTIONS, type: 'svg' });
  return { token, shortCode: shortCodeOf(appointment.reference), qrSvg, expiresAt: new Date(exp * 1000).toISOString() };
}

/** The convocation as an email shows it: the QR code as a PNG image (mail clients rarely show SVG), and the short code. */
export async function convocationImage(
  signer: ConvocationSigner,
  appointment: ConvocationSubjectRef,
): Promise<{ shortCode: string; qrPng: Buffer }> {
  const { token } = convocationToken(signer, appointment);
  return {
    shortCode: shortCodeOf(appointment.reference),
    qrPng: await QRCode.toBuffer(token, { ...QR_OPTIONS, type: 'png', scale: 6, rendererOpts: { ...PNG_RENDERER } }),
  };
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
