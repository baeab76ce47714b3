// What capacity planning reads (issue 17 part 2): one prefecture and procedure's waiting list,
// its recent arrivals and no-shows, its sites, and the opening rules of its counters.
import type { OpeningRule } from '../domain/slot-generation.ts';

export interface CapacitySite {
  id: string;
  name: string;
}

export interface CapacityReadings {
  timeZone: string;
  /** Requests waiting now (status 'waiting'). */
  waiting: number;
  /** Requests filed in [since, now). */
  filed: number;
  /** Appointments due in [since, now) (slot started, not cancelled), and the no-shows among them. */
  due: number;
  noShows: number;
  /** The procedure's default slot length (when no counter opens for it). */
  defaultSlotMinutes: number;
  /** The prefecture's sites, by name. */
  sites: CapacitySite[];
  /** The opening rules of the active counters of those sites for the procedure, with their site. */
  rules: (OpeningRule & { siteId: string })[];
}

export interface CapacityStore {
  /** null: no such prefecture or procedure. */
  readings(q: { prefectureId: string; procedureId: string; since: Date; now: Date }): Promise<CapacityReadings | null>;
  /** The prefecture's sites, by name. */
  sites(prefectureId: string): Promise<CapacitySite[]>;
  /** The procedures of the catalogue, by French name. */
  procedures(): Promise<{ id: string; nameFr: string; nameEn: string }[]>;
}
