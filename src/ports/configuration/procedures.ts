// Procedures (their national policy) and which of them each site offers.
import type { ConfigProcedure, ProcedurePolicySettings, SiteOffer } from './records.ts';

export interface ProcedureReader {
  /** By French name. */
  list(): Promise<ConfigProcedure[]>;
  get(id: string): Promise<ConfigProcedure | null>;
}

export interface ProcedureRepository extends ProcedureReader {
  updatePolicy(id: string, policy: ProcedurePolicySettings): Promise<void>;
}

export interface SiteOfferReader {
  /** The site's rows only (no row: offered, 0 %). */
  listAtSite(siteId: string): Promise<SiteOffer[]>;
}

export interface SiteOfferRepository extends SiteOfferReader {
  upsert(offer: SiteOffer): Promise<void>;
}
