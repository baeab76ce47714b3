// When counters open: opening rules, exceptional openings, closures.
import type { ConfigClosure, ConfigExceptionalOpening, ConfigOpeningRule, NewOpeningRule } from './records.ts';

export interface OpeningRuleReader {
  /** By first day, then procedure. */
  listAtCounter(counterId: string): Promise<ConfigOpeningRule[]>;
  /** null for an unknown or malformed id. */
  get(id: string): Promise<ConfigOpeningRule | null>;
}

export interface OpeningRuleRepository extends OpeningRuleReader {
  insert(rule: NewOpeningRule): Promise<string>;
  setEnd(id: string, validUntil: string): Promise<void>;
  delete(id: string): Promise<void>;
}

export interface ExceptionalOpeningReader {
  /** Exceptional openings of the counter on `fromDate` or later, by date. */
  listAtCounterFrom(counterId: string, fromDate: string): Promise<ConfigExceptionalOpening[]>;
  /** null for an unknown or malformed id. */
  get(id: string): Promise<ConfigExceptionalOpening | null>;
}

export interface ExceptionalOpeningRepository extends ExceptionalOpeningReader {
  insert(opening: Omit<ConfigExceptionalOpening, 'id' | 'siteId' | 'prefectureId'>): Promise<string>;
  delete(id: string): Promise<void>;
}

export interface ClosureReader {
  /** Closures of the site (its own and its counters') ending on `fromDate` or later. */
  listAtSiteFrom(siteId: string, fromDate: string): Promise<ConfigClosure[]>;
}

export interface ClosureRepository extends ClosureReader {
  insert(closure: Omit<ConfigClosure, 'id'>): Promise<string>;
}
