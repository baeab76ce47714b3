// The answers of requests sent with an Idempotency-Key on routes a proof of work guards
// (issue 12 §1): a key replays only the very request that first used it. The database decides
// every race: one claim per key, the answer saved under it once the work is done.

/** What identifies a request under its key; digests only (the key and the address are never stored). */
export interface IdempotentRequest {
  /** Digest of the Idempotency-Key: the primary key. */
  keyDigest: string;
  /** Keyed digest of the client's address. */
  clientDigest: string;
  /** "POST /api/bookings": method and route pattern. */
  route: string;
  /** Digest of the body without its one-time proof-of-work solution (and of the bearer token, if any). */
  fingerprint: string;
}

/** An answer as it was sent: replayed byte for byte. */
export interface StoredResponse {
  status: number;
  contentType: string | null;
  body: string;
}

/** The row under a key: who claimed it, and its answer once the work is done (null while it runs). */
export interface IdempotencyEntry extends IdempotentRequest {
  claimedAt: Date;
  response: StoredResponse | null;
}

export type IdempotencyClaim = { kind: 'claimed' } | { kind: 'existing'; entry: IdempotencyEntry };

export interface IdempotentResponseStore {
  find(keyDigest: string): Promise<IdempotencyEntry | null>;
  /**
   * Claims the key for `request` (INSERT … ON CONFLICT): 'claimed' when this call inserted
   * the row — or took over the same request's claim left without an answer since before
   * `staleBefore` (a crashed instance) —, otherwise the row as it is.
   */
  claim(request: IdempotentRequest, now: Date, staleBefore: Date): Promise<IdempotencyClaim>;
  /** Saves the answer of the claimed key. */
  saveResponse(keyDigest: string, response: StoredResponse): Promise<void>;
  /** Forgets a claim whose work failed for a passing reason, so that a retry runs it again; answered keys stay. */
  release(keyDigest: string): Promise<void>;
  /** Deletes the entries created before `before`; returns how many. */
  purge(before: Date): Promise<number>;
}
