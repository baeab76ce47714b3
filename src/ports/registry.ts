// The AGDREF registry (the State's database of foreign residents), as booking sees it.
export interface RegistryRecord {
  agdrefNumber: string; // 10 digits, normalised
  surname: string;
  givenNames: string;
  birthDate: string; // YYYY-MM-DD
  nationality: string;
  permitType: string;
  permitExpiresOn: string; // YYYY-MM-DD
}

/** The registry could not answer (down, timeout, garbage): booking fails closed. */
export class RegistryUnavailable extends Error {}

export interface Registry {
  /** The record of this AGDREF number, or null when there is none. Throws RegistryUnavailable. */
  lookup(agdrefNumber: string): Promise<RegistryRecord | null>;
}
