// The catalogue's use cases, bound to the booking store: prefectures, their sites, procedures.
import type { BookingStore } from '../../ports/booking-store.ts';
import { bindUseCases } from '../shared/use-cases.ts';
import { getPrefectureWithSites, getProcedure, listPrefectures, listProcedures } from './browse-catalogue.ts';

export const catalogueUseCases = (ports: { store: BookingStore }) =>
  bindUseCases(ports, { listPrefectures, listProcedures, getPrefectureWithSites, getProcedure });

export type CatalogueUseCases = ReturnType<typeof catalogueUseCases>;
