// The catalogue's use cases, bound to the booking store: prefectures, their sites, procedures,
// and the sites that offer a procedure.
import type { BookingStore } from '../../ports/booking-store.ts';
import type { Clock } from '../../ports/clock.ts';
import { bindUseCases } from '../shared/use-cases.ts';
import { getPrefectureWithSites, getProcedure, listPrefectures, listProcedures } from './browse-catalogue.ts';
import { sitesOffering } from './sites-offering.ts';

export const catalogueUseCases = (ports: { store: BookingStore; clock: Clock }) =>
  bindUseCases(ports, { listPrefectures, listProcedures, getPrefectureWithSites, getProcedure, sitesOffering });

export type CatalogueUseCases = ReturnType<typeof catalogueUseCases>;
