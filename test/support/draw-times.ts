// The instants and helpers the draw and offer suites share (test/storage/draws.test.ts,
// offers-answers.test.ts).
import { DomainError } from '../../src/domain/errors.ts';

export const NOW = new Date('2026-06-01T08:00:00Z'); // Monday, 10:00 in Paris
export const IN_A_WEEK_9H = new Date('2026-06-08T07:00:00Z'); // Monday 8 June, 09:00 in Paris
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const later = (ms: number, from = NOW): Date => new Date(from.getTime() + ms);
/** assert.rejects(…, code('X')): a DomainError with that code. */
export const code =
  (expected: string) =>
  (e: unknown): boolean =>
    e instanceof DomainError && e.code === expected;
