// Secrets and keys a request carries in its headers — never in its URL, never logged
// (the logger redacts these headers).
import { DomainError } from '../domain/errors.ts';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{8,128}$/;

/** Idempotency-Key: 8–128 visible ASCII characters, or absent. */
export function idempotencyKeyOf(headers: Record<string, unknown>): string | undefined {
  const raw = headers['idempotency-key'];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !IDEMPOTENCY_KEY.test(raw)) throw new DomainError('IDEMPOTENCY_KEY_INVALID');
  return raw;
}

/**
 * The applicant's management token, as `Authorization: Bearer <token>`. A malformed one
 * opens nothing: `notFound` (APPOINTMENT_NOT_FOUND, or REQUEST_NOT_FOUND on request routes).
 */
export function managementTokenOf(
  headers: Record<string, unknown>,
  notFound: 'APPOINTMENT_NOT_FOUND' | 'REQUEST_NOT_FOUND' = 'APPOINTMENT_NOT_FOUND',
): string {
  const raw = headers.authorization;
  const match = typeof raw === 'string' ? /^Bearer ([A-Za-z0-9_-]{16,128})$/.exec(raw.trim()) : null;
  if (typeof raw !== 'string' || raw.trim() === '') throw new DomainError('MANAGEMENT_TOKEN_MISSING');
  if (!match) throw new DomainError(notFound);
  return match[1]!;
}
