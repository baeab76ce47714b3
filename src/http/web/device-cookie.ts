// The device cookie (issue 16 §3): a first-party random id, set by the request form and the
// booking pages, read when a request is filed or a slot booked online, and stored only as a
// keyed digest (app/fraud/filing-signals.ts) to count "several people filing from one device".
// A security cookie (CNIL: strictly necessary to the service asked for — protecting it against
// fleets of fake requests — hence exempt from consent), said so on /personal-data.
// HttpOnly, SameSite=Lax, Secure in production, 13 months (the CNIL's longest for a cookie).
import type { FastifyReply, FastifyRequest } from 'fastify';

export const DEVICE_COOKIE = 'creneau_device';
export const DEVICE_COOKIE_MONTHS = 13;
const MAX_AGE_SECONDS = DEVICE_COOKIE_MONTHS * 30 * 24 * 3600;
/** What we set (a management-token-like random string); anything else is ignored and replaced. */
const DEVICE_ID = /^[A-Za-z0-9_-]{16,64}$/;

/** The device id the browser sent, or null (none, or not one of ours). */
export function deviceOf(request: FastifyRequest): string | null {
  const value = request.cookies[DEVICE_COOKIE];
  return value && DEVICE_ID.test(value) ? value : null;
}

/** Sets the cookie when the browser has none of ours; the id comes from a use case (randomness is a port). */
export function rememberDevice(
  request: FastifyRequest,
  reply: FastifyReply,
  secure: boolean,
  newDeviceId: () => string,
): void {
  if (deviceOf(request)) return;
  reply.setCookie(DEVICE_COOKIE, newDeviceId(), {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure,
    maxAge: MAX_AGE_SECONDS,
  });
}
