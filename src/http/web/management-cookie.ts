// The management token of an appointment or a request, kept in a cookie so that it never
// sits in a URL: the emailed link `/manage/open?token=…` is answered by moving the token
// here and redirecting to the same path without it; pages read it from here only.
import type { FastifyReply, FastifyRequest } from 'fastify';

export const MANAGEMENT_COOKIE = 'creneau_manage';

/** Long enough to come back to the appointment from the same device; the token itself does not expire. */
const MAX_AGE_SECONDS = 90 * 24 * 3600;

/** What a management token looks like (256 bits in base64url; the API accepts 16 to 128 such characters). */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,128}$/;

/** A typed or linked token, trimmed, if it has the shape of one. */
export function managementTokenShape(raw: unknown): string | undefined {
  const value = typeof raw === 'string' ? raw.trim() : '';
  return TOKEN_SHAPE.test(value) ? value : undefined;
}

/** The token as stored by `setManagementToken`, or undefined (none, or not a token). */
export function readManagementToken(request: FastifyRequest): string | undefined {
  return managementTokenShape(request.cookies?.[MANAGEMENT_COOKIE]);
}

export function setManagementToken(reply: FastifyReply, token: string, secure: boolean): FastifyReply {
  return reply.setCookie(MANAGEMENT_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure,
    maxAge: MAX_AGE_SECONDS,
  });
}

/** "Forget this device". */
export function clearManagementToken(reply: FastifyReply): FastifyReply {
  return reply.clearCookie(MANAGEMENT_COOKIE, { path: '/' });
}
