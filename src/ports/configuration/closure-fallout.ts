// What a closure does to the appointments, offers and requests on the slots it withdraws
// (app/configuration/close-site.ts). Only in a transaction.
import type { AffectedAppointment, CounterMove } from './records.ts';

export interface AffectedAppointmentRepository {
  /**
   * Closing one counter: each booked appointment on these (just withdrawn) slots moved to a
   * free slot of another counter of its site at the very same time, where the database accepts
   * it (the one-live-appointment-per-slot index, the reserve and first-come triggers decide;
   * a refused move is undone alone, in a savepoint, and the next counter tried). Slots another
   * transaction is moving onto are skipped, never waited for. Returns the moves made.
   */
  moveToOtherCounters(slotIds: readonly string[], now: Date): Promise<CounterMove[]>;
  /** Booked appointments on these slots, locked for the update (read after the slots were withdrawn). */
  bookedOnSlots(slotIds: readonly string[]): Promise<AffectedAppointment[]>;
  cancel(ids: readonly string[], now: Date): Promise<void>;
}

export interface PendingOfferRepository {
  /** Pending offers of these slots withdrawn, their requests waiting again; returns the request ids. */
  withdrawOnSlots(slotIds: readonly string[], now: Date): Promise<string[]>;
}

export interface RequeueRepository {
  /**
   * Puts a request back in the queue ('waiting') at the top priority class: a confirmed
   * urgency of source 'closure' dated `urgencyDate`; its batch (queued_on) is kept.
   */
  requeueAfterClosure(requestId: string, urgencyDate: string, now: Date): Promise<void>;
  /**
   * Files a request for the person of a cancelled appointment who had none (with an email:
   * offers are sent by email): the same identity, procedure and site, every day and half-day,
   * at the top priority class (a confirmed urgency of source 'closure' dated `urgencyDate`),
   * in today's batch. Returns its id.
   */
  fileAfterClosure(input: {
    appointmentId: string;
    reference: string;
    managementTokenHash: string;
    urgencyDate: string;
    queuedOn: string;
    now: Date;
  }): Promise<string>;
}
