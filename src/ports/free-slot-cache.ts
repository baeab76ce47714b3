// The free-slot calendar's cache (issue 14, "polling storm"): one answer per query, computed
// once and shared by every poller until the free slots of its procedure change. The use case
// (app/booking/free-slot-calendar.ts) says what to compute and until when it holds by itself;
// the adapter (adapters/db/free-slot-cache.ts) knows when the database changed, in this process
// or another one sharing it.

export interface Computed<T> {
  value: T;
  /** When the answer changes with time alone (its first slot starts): kept no later. */
  validUntil: Date | null;
}

export interface FreeSlotCache {
  /**
   * The answer kept for `key`, a query of the free slots of `procedureId`; otherwise
   * `compute()`'s, computed once for every caller asking meanwhile, then kept until a change
   * to that procedure's free slots, `validUntil`, or `maxAgeMs`, whichever comes first.
   * Answers in hand are the same object until they are replaced (callers may attach derived
   * forms to it, an encoded body say).
   */
  remember<T extends object>(procedureId: string, key: string, compute: () => Promise<Computed<T>>): Promise<T>;
  /** The hard bound: no answer is served more than this long after its computation started. */
  readonly maxAgeMs: number;
  /** Stops watching the database. */
  close(): void;
}
