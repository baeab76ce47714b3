// Idempotency-Key handling of the use cases that create something once: booking a slot,
// filing a request. One outcome per key, committed with the creation itself, replayed as is.
//
//   1. the checks run first, outside the transaction; their refusals are kept as data
//      (`checkedOrRefusal`), so that a parallel twin whose email code was just spent by the
//      first request still gets the first request's answer;
//   2. in one transaction: claim the key (a concurrent claimer of the same key waits for the
//      first to commit, then replays its outcome), then create — in a savepoint, so that a
//      refused write still lets the refusal be committed under the key — and save the outcome.
// A passing trouble (registry down, limits: TRANSIENT_ERRORS) is never kept: a retry must
// try again.

import { DomainError, type ErrorCode, isDomainError, TRANSIENT_ERRORS } from '../../domain/errors.ts';
import type { IdempotencyClaim } from '../../ports/booking-store.ts';
import type { Hasher } from '../../ports/secrets.ts';

export interface IdempotencyTransaction {
  claimIdempotencyKey(key: string, scope: string, fingerprint: string): Promise<IdempotencyClaim>;
  saveIdempotencyOutcome(key: string, outcome: unknown): Promise<void>;
  attempt<T>(work: () => Promise<T>): Promise<T>;
}

/** What is kept under a key. `confirmation` is the stored format of idempotency_record.outcome: keep the name. */
export type StoredOutcome<T> =
  | { ok: true; confirmation: T }
  | { ok: false; code: ErrorCode; message: string; details?: Record<string, unknown> };

/** The checks' result, or their refusal as data. Errors that are not refusals still throw. */
export async function checkedOrRefusal<C>(check: () => Promise<C>): Promise<C | DomainError> {
  try {
    return await check();
  } catch (e) {
    if (isDomainError(e)) return e;
    throw e;
  }
}

function toStoredError<T>(error: DomainError): StoredOutcome<T> {
  return { ok: false, code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
}

export interface CommitOnceOptions<Tx extends IdempotencyTransaction, C, T> {
  transaction: <R>(work: (tx: Tx) => Promise<R>) => Promise<R>;
  key: string;
  /** Which use case owns the key ('book-slot', 'file-request'): a key of another scope is a reused key. */
  scope: string;
  /** hasher.fingerprint of the request, without one-time secrets: the same key with another body is refused. */
  fingerprint: string;
  checked: C | DomainError;
  /** The creation, inside the transaction: throws a DomainError to refuse. */
  commit: (tx: Tx, checked: C) => Promise<T>;
}

/** Creates once per key; returns the outcome (or throws the refusal) with whether it was replayed. */
export async function commitOnce<Tx extends IdempotencyTransaction, C, T>(
  options: CommitOnceOptions<Tx, C, T>,
): Promise<{ value: T; replayed: boolean }> {
  const { key, scope, fingerprint, checked } = options;
  const { outcome, replayed } = await options.transaction(
    async (tx): Promise<{ outcome: StoredOutcome<T>; replayed: boolean }> => {
      const claim = await tx.claimIdempotencyKey(key, scope, fingerprint);
      if (claim.kind === 'existing') {
        if (claim.fingerprint !== fingerprint) throw new DomainError('IDEMPOTENCY_KEY_REUSED');
        if (!claim.outcome) throw new DomainError('IDEMPOTENCY_IN_PROGRESS');
        return { outcome: claim.outcome as StoredOutcome<T>, replayed: true };
      }
      if (checked instanceof DomainError && TRANSIENT_ERRORS.has(checked.code)) throw checked;
      let outcome: StoredOutcome<T>;
      if (checked instanceof DomainError) {
        outcome = toStoredError(checked);
      } else {
        try {
          outcome = { ok: true, confirmation: await tx.attempt(() => options.commit(tx, checked)) };
        } catch (e) {
          if (!isDomainError(e)) throw e;
          outcome = toStoredError(e);
        }
      }
      await tx.saveIdempotencyOutcome(key, outcome);
      return { outcome, replayed: false };
    },
  );
  if (!outcome.ok) throw new DomainError(outcome.code, outcome.message, outcome.details);
  return { value: outcome.confirmation, replayed };
}

/**
 * The fingerprint of a creation's input: the email proof counts by its verification id,
 * never by its code (a one-time secret, and a retry may type it differently: "1234 5678").
 */
export function fingerprintOf(
  hasher: Pick<Hasher, 'fingerprint'>,
  input: { emailProof?: { verificationId: string } | undefined },
): string {
  const { emailProof, ...identifying } = input;
  return hasher.fingerprint({ ...identifying, emailVerificationId: emailProof?.verificationId ?? null });
}

/** A freshly drawn reference that already exists (about 1 in 10^14) is drawn again, this many times at most. */
const REFERENCE_ATTEMPTS = 3;

export interface CreateOnceOptions<Tx extends IdempotencyTransaction, C, T> {
  idempotencyKey: string | undefined;
  scope: string;
  /** The request's fingerprint (fingerprintOf), computed only when there is a key to bind it to. */
  fingerprint: () => string;
  /** Everything decided before the write (it draws the reference). */
  check: () => Promise<C>;
  transaction: <R>(work: (tx: Tx) => Promise<R>) => Promise<R>;
  commit: (tx: Tx, checked: C) => Promise<T>;
  /** The write failed because the reference drawn by `check` exists: check (and draw) again. */
  isReferenceTaken: (error: unknown) => boolean;
}

/** A creation, once per Idempotency-Key when one is given (see the top of this file). */
export async function createOnce<Tx extends IdempotencyTransaction, C, T>(
  options: CreateOnceOptions<Tx, C, T>,
): Promise<{ value: T; replayed: boolean }> {
  const { idempotencyKey: key } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      if (key)
        return await commitOnce({
          ...options,
          key,
          fingerprint: options.fingerprint(),
          checked: await checkedOrRefusal(options.check),
        });
      const checked = await options.check();
      const value = await options.transaction((tx) => options.commit(tx, checked));
      return { value, replayed: false };
    } catch (e) {
      if (options.isReferenceTaken(e) && attempt < REFERENCE_ATTEMPTS) continue;
      throw e;
    }
  }
}
