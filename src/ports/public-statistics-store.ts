// What the public numbers read and write (issue 17): the job computes a week's figures from
// the requests, offers, appointments, slots, draws and security events, and stores them; the
// pages and the open data read the stored weeks only (at most 53 rows per procedure).
import type { WeeklyFigures, WeeklyPressure } from '../domain/public-statistics.ts';

export interface StatisticsPrefecture {
  id: string;
  name: string;
  timeZone: string;
}

export interface StatisticsProcedure {
  id: string;
  nameFr: string;
  nameEn: string;
}

/** One week of one prefecture to compute: its local Monday, and its instants [from, to). */
export interface WeekToCompute {
  prefectureId: string;
  timeZone: string;
  weekStart: string;
  from: Date;
  to: Date;
  /** Figures "so far" for the current week: nothing after this instant counts. */
  now: Date;
}

export interface PublicStatisticsStore {
  /**
   * Elects one runner per period across instances: true for the caller whose row went in,
   * false for every other (the row exists). Runs older than `purgeBefore` are forgotten.
   */
  claimRun(period: string, now: Date, purgeBefore: Date): Promise<boolean>;
  finishRun(period: string, now: Date): Promise<void>;
  prefectures(): Promise<StatisticsPrefecture[]>;
  findPrefecture(id: string): Promise<StatisticsPrefecture | null>;
  /** The procedures with figures in this prefecture, by name. */
  proceduresOf(prefectureId: string): Promise<StatisticsProcedure[]>;
  /** Every procedure of the catalogue (names for the national file). */
  allProcedures(): Promise<StatisticsProcedure[]>;
  /** Whether the job stored this week of the prefecture (its all-procedures row, written every time). */
  hasWeek(prefectureId: string, weekStart: string): Promise<boolean>;
  /** One row per procedure with activity in the week, and always one for all of them ('*'). */
  computeWeek(week: WeekToCompute): Promise<WeeklyFigures[]>;
  /** Replaces the stored week of the prefecture by `rows` (a procedure gone quiet loses its row). */
  replaceWeek(prefectureId: string, weekStart: string, rows: readonly WeeklyFigures[], computedAt: Date): Promise<void>;
  /** Refused proofs of work and rate-limited requests in [from, to), stored under `weekStart`. */
  computePressure(weekStart: string, from: Date, to: Date, computedAt: Date): Promise<WeeklyPressure>;
  /** Stored weeks from `fromWeek` on, oldest first; a prefecture (all of them: null) and a procedure (all: null). */
  weeks(filter: {
    prefectureId: string | null;
    procedureId: string | null;
    fromWeek: string;
  }): Promise<WeeklyFigures[]>;
  pressure(fromWeek: string): Promise<WeeklyPressure[]>;
  /** When the figures were last computed (null: never). */
  lastComputedAt(): Promise<Date | null>;
}
