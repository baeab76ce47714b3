// Request-first allocation: a draw assigns released slots to waiting requests so that speed
// buys nothing. Serial dictatorship by priority: requests are ordered by priority class
// (urgency first), then by filing time (FIFO) or by a seeded lottery; each request in turn
// takes its earliest acceptable free slot. Pure and deterministic: the same input and seed
// give the same assignment, bit for bit, so anyone can replay a draw.
//
// (Types only for now; the algorithm is being written.)

/** 0 = most urgent (permit or récépissé already expired), 1 = expiring soon, 2 = normal. */
export type PriorityClass = number;

export type HalfDay = 'am' | 'pm';

export interface DrawRequest {
  id: string;
  priorityClass: PriorityClass;
  /** Filing instant, epoch milliseconds: the FIFO order. */
  filedAt: number;
  /** Acceptable sites (one or several in the prefecture). */
  siteIds: readonly string[];
  /** Acceptable ISO weekdays (1 = Monday … 7 = Sunday). */
  weekdays: readonly number[];
  /** Acceptable half-days. */
  halfDays: readonly HalfDay[];
}

export interface DrawSlot {
  id: string;
  siteId: string;
  /** Epoch milliseconds: "earliest" means smallest startsAt (ties: smallest id). */
  startsAt: number;
  /** Local ISO weekday and half-day of the slot, in the prefecture's time zone. */
  weekday: number;
  halfDay: HalfDay;
}

export type DrawOrder = 'fifo' | 'lottery';

export interface DrawInput {
  requests: readonly DrawRequest[];
  slots: readonly DrawSlot[];
  order: DrawOrder;
  /** Seed of the lottery (ignored by FIFO but always recorded); any string. */
  seed: string;
}

export interface Assignment {
  requestId: string;
  slotId: string;
}

export interface DrawResult {
  /** In the order the requests chose. */
  assignments: Assignment[];
  /** The order in which requests chose (ids), for audit. */
  order: string[];
  /** SHA-256 (hex) of the canonical input, and of the assignments. */
  inputDigest: string;
  resultDigest: string;
}
