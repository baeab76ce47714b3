// What slot materialisation reads (the opening rules of a prefecture) and writes (slots).
import type { Closure, ExceptionalOpening, OpeningRule, ReleasePolicy, SlotDraft } from '../domain/slot-generation.ts';

export type MarkedSlotDraft = SlotDraft & { reservedForAgents: boolean };

export interface SiteSchedule {
  siteId: string;
  rules: OpeningRule[];
  exceptionalOpenings: ExceptionalOpening[];
  closures: Closure[];
  /** Procedures not offered here any more (site_procedure.offered = false): no new slots. */
  withdrawnProcedures: Set<string>;
  /** Share of new slots reserved for the agents, per procedure (absent: 0). */
  reservedPercent: Map<string, number>;
}

export interface PrefectureSchedule {
  prefectureId: string;
  timeZone: string;
  sites: SiteSchedule[];
  releasePolicies: Map<string, ReleasePolicy>;
}

export interface ScheduleStore {
  listPrefectures(): Promise<{ id: string; timeZone: string }[]>;
  loadSchedule(prefectureId: string, fromDate: string, toDate: string): Promise<PrefectureSchedule>;
  /** Inserts the slots that do not exist yet; returns how many were new. */
  insertSlots(siteId: string, slots: MarkedSlotDraft[]): Promise<number>;
}
