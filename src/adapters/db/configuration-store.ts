// Kysely implementation of the configuration store, the same on PostgreSQL and PGlite: one
// repository per entity (adapters/db/configuration/), bound to the pool for the readers and to
// one transaction for a change — with the audit writer and the outbox writer of that transaction.
import type {
  ConfigurationReaders,
  ConfigurationRepositories,
  ConfigurationStore,
} from '../../ports/configuration-store.ts';
import { auditWriter } from './audit-repository.ts';
import {
  affectedAppointmentRepository,
  pendingOfferRepository,
  requeueRepository,
} from './configuration/closure-fallout.ts';
import { drawCadenceRepository, drawScheduleRepository } from './configuration/draw-settings.ts';
import { futureSlotRepository } from './configuration/future-slots.ts';
import {
  closureRepository,
  exceptionalOpeningRepository,
  openingRuleRepository,
} from './configuration/opening-hours.ts';
import { counterRepository, siteRepository } from './configuration/places.ts';
import { procedureRepository, siteOfferRepository } from './configuration/procedures.ts';
import { settingsRepository } from './configuration/settings.ts';
import type { Db } from './database.ts';
import type { Executor } from './kysely-helpers.ts';
import { KyselyOutboxWriter, runTransaction } from './outbox-store.ts';
import { prefectureRepository } from './prefecture-repository.ts';

/** The repositories on `db`; outside a transaction they are only handed out as readers. */
function entityRepositories(db: Executor) {
  return {
    prefectures: prefectureRepository(db),
    sites: siteRepository(db),
    counters: counterRepository(db),
    procedures: procedureRepository(db),
    siteOffers: siteOfferRepository(db),
    openingRules: openingRuleRepository(db),
    exceptionalOpenings: exceptionalOpeningRepository(db),
    closures: closureRepository(db),
    drawSchedules: drawScheduleRepository(db),
    drawCadences: drawCadenceRepository(db),
    settings: settingsRepository(db),
  };
}

export function createConfigurationStore(db: Db): ConfigurationStore {
  const readers: ConfigurationReaders = entityRepositories(db);
  return {
    ...readers,
    transaction: (work) =>
      runTransaction(db, (trx) => {
        const repos: ConfigurationRepositories = {
          ...entityRepositories(trx),
          futureSlots: futureSlotRepository(trx),
          appointments: affectedAppointmentRepository(trx),
          offers: pendingOfferRepository(trx),
          requests: requeueRepository(trx),
          audit: auditWriter(trx),
          outbox: new KyselyOutboxWriter(trx),
        };
        return work(repos);
      }),
  };
}
