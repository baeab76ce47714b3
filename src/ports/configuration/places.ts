// Sites and their counters, as the configuration reads and changes them.
import type { ConfigCounter, ConfigSite } from './records.ts';

export interface SiteReader {
  /** By name. */
  listInPrefecture(prefectureId: string): Promise<ConfigSite[]>;
  get(id: string): Promise<ConfigSite | null>;
}

export interface SiteRepository extends SiteReader {
  update(
    id: string,
    fields: { name: string; address: string; phone: string | null; publicHours: string | null },
  ): Promise<void>;
}

export interface CounterReader {
  /** By name. */
  listAtSite(siteId: string): Promise<ConfigCounter[]>;
  get(id: string): Promise<ConfigCounter | null>;
}

export interface CounterRepository extends CounterReader {
  /** COUNTER_NAME_TAKEN when the site has a counter of that name. */
  insert(siteId: string, name: string): Promise<ConfigCounter>;
  /** COUNTER_NAME_TAKEN when the site has another counter of that name. */
  update(id: string, fields: { name: string; active: boolean }): Promise<void>;
}
