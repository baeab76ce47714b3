// When a prefecture's draws run: its daily time, and the cadence of procedures drawn through the day.
import type { DrawCadenceSettings, DrawScheduleSettings } from './records.ts';

export interface DrawScheduleReader {
  /** No row: the default daily time. */
  get(prefectureId: string): Promise<DrawScheduleSettings>;
}

export interface DrawScheduleRepository extends DrawScheduleReader {
  upsert(schedule: DrawScheduleSettings): Promise<void>;
}

export interface DrawCadenceReader {
  /** The prefecture's cadences, by procedure id. */
  listInPrefecture(prefectureId: string): Promise<DrawCadenceSettings[]>;
  get(prefectureId: string, procedureId: string): Promise<DrawCadenceSettings | null>;
}

export interface DrawCadenceRepository extends DrawCadenceReader {
  upsert(cadence: DrawCadenceSettings): Promise<void>;
  /** False when there was none. */
  delete(prefectureId: string, procedureId: string): Promise<boolean>;
}
