// Idempotency-Key on the routes a proof of work pays for (sending a code, booking, filing,
// rescheduling): a key replays only the very request that first used it — same route, same
// body (without its one-time proof-of-work solution), same client — and gets its stored
// answer without the work being done again. Any other request under the key is refused
// (IDEMPOTENCY_KEY_REUSED, as Stripe does), and so is a twin while the first still runs
// (IDEMPOTENCY_IN_PROGRESS). Without this, one solution sent with one key bought any number
// of different actions (issue 12 §1: six codes to six addresses).
//
// The HTTP layer calls, in order: `earlierAnswer` (before the proof of work: a replay needs
// none), the proof of work, `claimRequest`, the work, then `finishRequest` with its answer.
// Book and file keep their own key in their transaction (app/shared/idempotency.ts): this layer sits
// in front of it.
import { setTimeout as sleep } from 'node:timers/promises';
import { DomainError, type ErrorCode, TRANSIENT_ERRORS } from '../../domain/errors.ts';
import type { IdempotencyEntry, IdempotentRequest, StoredResponse } from '../../ports/idempotent-response-store.ts';
import type { AppContext } from './context.ts';
import { IDEMPOTENCY_RETENTION_HOURS } from './purge-idempotency-records.ts';

/** A claim left without an answer this long is a crashed instance's: the same request may take it over. */
export const IDEMPOTENCY_CLAIM_LEASE_MS = 60_000;
/** What a twin of a running request is told to wait. */
const IN_PROGRESS_RETRY_SECONDS = 1;

type Deps = Pick<AppContext, 'idempotentResponses' | 'clock' | 'hasher'>;

export interface IdempotentRequestInput {
  /** The Idempotency-Key, already validated. */
  key: string;
  /** "POST /api/bookings": method and route pattern. */
  route: string;
  /** The client's address (request.ip: the hop-aware one when proxies are trusted). */
  client: string;
  /** The body without its proof-of-work solution (nor, for pages, the CSRF token). */
  body: unknown;
  /** The bearer credential the request acts with (a management token), if any: part of the request. */
  bearer?: string | null | undefined;
}

/** The digests a request is known by under its key; nothing in clear is stored. */
export function identifyRequest(hasher: AppContext['hasher'], input: IdempotentRequestInput): IdempotentRequest {
  return {
    keyDigest: hasher.identityKey(`idempotency-key:${input.key}`),
    clientDigest: hasher.identityKey(`client:${input.client}`),
    route: input.route,
    fingerprint: hasher.fingerprint({
      body: input.body ?? null,
      bearer: input.bearer ? hasher.tokenDigest(input.bearer) : null,
    }),
  };
}

/**
 * Who may present a proof-of-work solution again: this very request (a retry, a double
 * click), never another body, route or client under the same key.
 */
export function proofOfWorkOwner(hasher: AppContext['hasher'], request: IdempotentRequest): string {
  return hasher.fingerprint(['pow-owner', request.keyDigest, request.clientDigest, request.route, request.fingerprint]);
}

const sameRequest = (entry: IdempotencyEntry, request: IdempotentRequest) =>
  entry.clientDigest === request.clientDigest &&
  entry.route === request.route &&
  entry.fingerprint === request.fingerprint;

/** How long a twin waits for the first request's answer before IDEMPOTENCY_IN_PROGRESS, and how often it looks. */
export const IN_PROGRESS_WAIT_MS = 5_000;
const POLL_DELAYS_MS = [10, 25, 50, 100, 200];

/**
 * What an earlier use of the key means for this request: its answer to replay, or null to go
 * on (no entry any more: released after a passing trouble; or a stale claim of this same
 * request). While the first still runs, waits for its answer up to `waitMs` (a client that
 * retries at once, fifty identical requests at once: all get the one answer), then
 * IDEMPOTENCY_IN_PROGRESS.
 */
async function settledAnswer(
  deps: Deps,
  request: IdempotentRequest,
  first: IdempotencyEntry | null,
  waitMs: number,
): Promise<StoredResponse | null> {
  // Real time spent sleeping below, not the injected clock's "now" (a test clock stands still).
  const deadline = Date.now() + waitMs;
  let entry = first;
  for (let poll = 0; entry; poll++) {
    if (!sameRequest(entry, request)) throw new DomainError('IDEMPOTENCY_KEY_REUSED');
    if (entry.response) return entry.response;
    if (entry.claimedAt.getTime() < deps.clock.now().getTime() - IDEMPOTENCY_CLAIM_LEASE_MS) return null;
    if (Date.now() >= deadline)
      throw new DomainError('IDEMPOTENCY_IN_PROGRESS', undefined, { retryAfterSeconds: IN_PROGRESS_RETRY_SECONDS });
    await sleep(POLL_DELAYS_MS[Math.min(poll, POLL_DELAYS_MS.length - 1)]);
    entry = await deps.idempotentResponses.find(request.keyDigest);
  }
  return null;
}

/** Before the proof of work: the stored answer of this request, or null when it has none (yet). */
export async function earlierAnswer(
  deps: Deps,
  request: IdempotentRequest,
  waitMs = IN_PROGRESS_WAIT_MS,
): Promise<StoredResponse | null> {
  return settledAnswer(deps, request, await deps.idempotentResponses.find(request.keyDigest), waitMs);
}

/** Claims to take before giving up on a key that keeps being released or taken over. */
const CLAIM_ATTEMPTS = 3;

/** After the proof of work: null when this request now owns the key (run the work), else the answer to replay. */
export async function claimRequest(
  deps: Deps,
  request: IdempotentRequest,
  waitMs = IN_PROGRESS_WAIT_MS,
): Promise<StoredResponse | null> {
  for (let attempt = 1; attempt <= CLAIM_ATTEMPTS; attempt++) {
    const now = deps.clock.now();
    const claim = await deps.idempotentResponses.claim(
      request,
      now,
      new Date(now.getTime() - IDEMPOTENCY_CLAIM_LEASE_MS),
    );
    if (claim.kind === 'claimed') return null;
    const answer = await settledAnswer(deps, request, claim.entry, waitMs);
    if (answer) return answer;
  }
  throw new DomainError('IDEMPOTENCY_IN_PROGRESS', undefined, { retryAfterSeconds: IN_PROGRESS_RETRY_SECONDS });
}

/**
 * Keeps the answer of the work under the key — unless it is a passing trouble (a 5xx, a
 * limit, the registry down: TRANSIENT_ERRORS; the use case's own key still in progress),
 * which a retry must try again: the claim is then released. Likewise an answer that cannot
 * be kept (null: a stream).
 */
export async function finishRequest(
  deps: Deps,
  keyDigest: string,
  response: (StoredResponse & { code?: string | undefined }) | null,
): Promise<'kept' | 'released'> {
  const passing =
    response === null ||
    response.status >= 500 ||
    response.status === 429 ||
    (response.code !== undefined &&
      (TRANSIENT_ERRORS.has(response.code as ErrorCode) || response.code === 'IDEMPOTENCY_IN_PROGRESS'));
  if (passing) {
    await deps.idempotentResponses.release(keyDigest);
    return 'released';
  }
  await deps.idempotentResponses.saveResponse(keyDigest, {
    status: response.status,
    contentType: response.contentType,
    body: response.body,
  });
  return 'kept';
}

/** The answers are useful for a day, like the use cases' idempotency records, then only a risk (they hold management tokens). */
export function purgeIdempotentResponses(deps: Pick<AppContext, 'idempotentResponses' | 'clock'>): Promise<number> {
  return deps.idempotentResponses.purge(new Date(deps.clock.now().getTime() - IDEMPOTENCY_RETENTION_HOURS * 3_600_000));
}
