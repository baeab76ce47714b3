// Prefectures are fixed (migrations and seed): read only, by the configuration and the agents' pages alike.
import type { ConfigPrefecture } from './configuration/records.ts';

export interface PrefectureRepository {
  list(): Promise<ConfigPrefecture[]>;
  get(id: string): Promise<ConfigPrefecture | null>;
}
