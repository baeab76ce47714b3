// Kysely implementation of the draw store, the same on PostgreSQL and PGlite: one repository
// per entity (adapters/db/draws/), bound to the pool for the readers and to one transaction for
// a draw or an answer to an offer, with the outbox writer of that transaction.
//
// The hot statements of a draw (waiting requests, free slots, offers) are plain SQL with
// their status literals written out, so that PostgreSQL matches them to the partial indexes
// (allocation_request_waiting, offer_one_pending_per_slot, appointment_one_per_slot) even in
// a generic plan of a named statement (see database.ts). A draw reads through cursors,
// `batchSize` rows per FETCH, and writes its offers in one statement (adapters/db/draws/offers.ts `record`).
import type { DrawReaders, DrawRepositories, DrawStore } from '../../ports/draw-store.ts';
import type { Db } from './database.ts';
import { offerAppointmentRepository } from './draws/appointments.ts';
import { drawRepository } from './draws/draw-records.ts';
import { offerRepository } from './draws/offers.ts';
import { drawProcedureReader, drawQueueReader } from './draws/queues.ts';
import { drawRequestRepository } from './draws/requests.ts';
import { drawSlotRepository } from './draws/slots.ts';
import { fraudSignals } from './fraud-signals-store.ts';
import { KyselyOutboxWriter, runTransaction } from './outbox-store.ts';
import { prefectureRepository } from './prefecture-repository.ts';

export interface DrawStoreOptions {
  /** Rows per FETCH of a draw's reads (requests, slots, offer notices; default 20,000); tests make it small to cross batch boundaries. */
  batchSize?: number;
  /**
   * Read a draw's free slots on a connection of their own, beside its requests (PostgreSQL: the
   * pool has several connections; PGlite has one, where the transaction's own must be used).
   */
  readSlotsBeside?: boolean;
}

export function createDrawStore(db: Db, options: DrawStoreOptions = {}): DrawStore {
  const { batchSize, readSlotsBeside = false } = options;
  const readers: DrawReaders = {
    queues: drawQueueReader(db),
    procedures: drawProcedureReader(db),
    prefectures: prefectureRepository(db),
    draws: drawRepository(db),
    requests: drawRequestRepository(db),
    offers: offerRepository(db),
  };
  return {
    ...readers,
    transaction: (work) =>
      runTransaction(db, (trx) => {
        const repos: DrawRepositories = {
          draws: drawRepository(trx),
          requests: drawRequestRepository(trx, batchSize),
          slots: drawSlotRepository(trx, batchSize, readSlotsBeside ? db : undefined),
          offers: offerRepository(trx, batchSize),
          appointments: offerAppointmentRepository(trx),
          outbox: new KyselyOutboxWriter(trx),
          fraud: fraudSignals(trx),
        };
        return work(repos);
      }),
  };
}
