import type { OfferAppointmentRepository } from './draws/appointments.ts';
import type { DrawReader, DrawRepository } from './draws/draw-records.ts';
import type { OfferReader, OfferRepository } from './draws/offers.ts';
import type { DrawProcedureReader, DrawQueueReader } from './draws/queues.ts';
import type { DrawRequestRepository, OfferRequestReader } from './draws/requests.ts';
import type { DrawSlotRepository } from './draws/slots.ts';
import type { FraudSignals } from './fraud-store.ts';
import type { OutboxWriter } from './outbox.ts';
import type { PrefectureRepository } from './prefectures.ts';
import type { RequestStatus } from './request-store.ts';
import type { NarrowStore } from './unit-of-work.ts';

export type * from './draws/records.ts';
export type { RequestStatus };

/** What may be read outside a transaction. */
export interface DrawReaders {
  queues: DrawQueueReader;
  procedures: DrawProcedureReader;
  prefectures: PrefectureRepository;
  draws: DrawReader;
  requests: OfferRequestReader;
  offers: OfferReader;
}

/** The repositories of one transaction: a draw, or an answer to an offer, and its emails. */
export interface DrawRepositories {
  draws: DrawRepository;
  requests: DrawRequestRepository;
  slots: DrawSlotRepository;
  offers: OfferRepository;
  appointments: OfferAppointmentRepository;
  outbox: OutboxWriter;
  /** The fraud signals' counts and scores (an offer left unanswered scores its request again). */
  fraud: FraudSignals;
}

/** The draw storage a use case declares (NarrowStore). */
export type DrawStore<
  R extends keyof DrawReaders = keyof DrawReaders,
  W extends keyof DrawRepositories = keyof DrawRepositories,
> = NarrowStore<DrawReaders, DrawRepositories, R, W>;
