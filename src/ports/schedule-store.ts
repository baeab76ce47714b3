// What slot materialisation reads (the opening rules of a prefecture) and writes (slots).
import type { Closure, ExceptionalOpening, OpeningRule, ReleasePolicy, SlotDraft } from '../domain/slot-generation.ts';

export interface SiteSchedule {
  siteId: string;
  rules: OpeningRule[];
  exceptionalOpenings: ExceptionalOpening[];
  closures: Closure[];
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
  insertSlots(siteId: string, slots: SlotDraft[]): Promise<number>;
}
