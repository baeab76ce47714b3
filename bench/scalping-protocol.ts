// Messages between the scalping benchmark's driver (bench/scalping.ts, the outside reseller
// and the public) and the server process it forks per engine (bench/scalping-server.ts, the
// prefecture: the real server plus what the benchmark plays as "time": slot releases and
// draw ticks). Every request carries an id; the answer carries it back, so several rounds
// can wait on the server at once.
import type { Engine } from '../src/adapters/db/database.ts';

export const PREFECTURE_ID = '93';
export const SITE_ID = 'scalp-site';

/** The code of every email verification the server writes before the attempts (see EmailProofs). */
export const EMAIL_CODE = '24681357';

/** One procedure of the scenario: its own counter and slots, hidden (released_at far ahead) until the driver releases them. */
export interface ProcedureSpec {
  id: string;
  slots: number;
  /** The old flow's booking mode: 'direct' for first come, first served; 'allocation' for requests and draws (lottery). */
  mode: 'direct' | 'allocation';
}

export interface ScalpingStart {
  engine: Engine;
  databaseUrl?: string;
  /** DATA_DIR of the server: PGlite's database (PGlite) and the mail outbox (both engines). */
  dataDir: string;
  redisUrl?: string;
  logLevel: string;
  identityKeySecret: string;
  procedures: ProcedureSpec[];
}

/** What the server found in the migrated schema: the parts of the flow the driver adapts to. */
export interface FlowFeatures {
  /** Migration 0012: slots go to a draw first; only `opened_at` slots are listed and bookable. */
  slotsOpenedByDraws: boolean;
  /** slot.available_since exists (when the slot last became free). */
  availableSince: boolean;
  /** The identity is the document, its attributes bound to it (table identity_document). */
  identityDocument: boolean;
  /** draw_schedule.after_release exists (the old flow's draw right after each release). */
  afterReleaseDraws: boolean;
  /** allocation_request.queued_on exists (the draw's batch). */
  queuedOn: boolean;
  migrations: string[];
}

export interface ScenarioSlot {
  id: string;
  /** ISO weekday (1 = Monday) and half-day of its start, in the prefecture's zone: what a request's preferences name. */
  weekday: number;
  halfDay: 'am' | 'pm';
}

export interface ServerReady {
  type: 'ready';
  url: string;
  /** Today in the prefecture's zone (YYYY-MM-DD): the listing's first day. */
  today: string;
  /** The last local date a scenario slot starts on. */
  lastSlotDate: string;
  /** The slots of each procedure, in start order. */
  slots: Record<string, ScenarioSlot[]>;
  flow: FlowFeatures;
}

/** Email verifications (purposes booking and request) for each address, written as POST /api/email-verifications does. */
export interface EmailProofs {
  booking: string;
  request: string;
}

export type DrawOutcome =
  | { status: 'drawn'; requests: number; slots: number; assigned: number; openedSlots: number | null }
  | { status: 'not-drawn'; reason: string };

export type ToServer =
  | { type: 'verifications'; id: number; emails: string[] }
  /** Slots appear: released now (and free since long enough for the next draw to take them). */
  | { type: 'release'; id: number; procedureId: string; slotIds?: string[] }
  /** A draw tick of the procedure now, as the scheduler would run it once its collection window has passed. */
  | { type: 'draw'; id: number; procedureId: string }
  /** The email of the live appointment on each slot (null when free). */
  | { type: 'holders'; id: number; slotIds: string[] }
  /** Live appointments per email for the procedures (the driver's counts checked against the database). */
  | { type: 'appointments'; id: number; procedureIds: string[] }
  | { type: 'integrity'; id: number }
  | { type: 'close'; id: number };

export type FromServer =
  | ServerReady
  | { type: 'verifications'; id: number; proofs: EmailProofs[] }
  | { type: 'released'; id: number; count: number }
  | { type: 'drawn'; id: number; outcome: DrawOutcome }
  | { type: 'holders'; id: number; holders: Record<string, string | null> }
  | { type: 'appointments'; id: number; emails: Record<string, string[]> }
  | { type: 'integrity'; id: number; doubleBookings: number; appointmentsOnUnreleasedSlots: number }
  | { type: 'closed'; id: number }
  | { type: 'error'; id: number | null; message: string };
