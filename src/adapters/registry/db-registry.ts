// The embedded registry: the `registry_resident` table, filled with fictitious residents
// (fictitious-residents.ts) for evaluation and tests. The default when REGISTRY_URL is unset.
import type { Selectable } from 'kysely';
import type { Registry, RegistryRecord } from '../../ports/registry.ts';
import type { Db } from '../db/database.ts';
import type { RegistryResidentTable } from '../db/schema.ts';

export const toRegistryRecord = (r: Selectable<RegistryResidentTable>): RegistryRecord => ({
  agdrefNumber: r.agdref_number,
  surname: r.surname,
  givenNames: r.given_names,
  birthDate: r.birth_date,
  nationality: r.nationality,
  permitType: r.permit_type,
  permitExpiresOn: r.permit_expires_on,
});

export const toRegistryRow = (r: RegistryRecord): RegistryResidentTable => ({
  agdref_number: r.agdrefNumber,
  surname: r.surname,
  given_names: r.givenNames,
  birth_date: r.birthDate,
  nationality: r.nationality,
  permit_type: r.permitType,
  permit_expires_on: r.permitExpiresOn,
});

export function createDbRegistry(db: Db): Registry {
  return {
    // One primary-key probe, whether the number exists or not (same plan, same cost).
    async lookup(agdrefNumber) {
      const row = await db
        .selectFrom('registry_resident')
        .selectAll()
        .where('agdref_number', '=', agdrefNumber)
        .executeTakeFirst();
      return row ? toRegistryRecord(row) : null;
    },
  };
}

/** Inserts residents, leaving existing numbers untouched; returns how many were new. */
export async function insertRegistryResidents(db: Db, residents: RegistryRecord[]): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < residents.length; i += 500) {
    const rows = await db
      .insertInto('registry_resident')
      .values(residents.slice(i, i + 500).map(toRegistryRow))
      .onConflict((oc) => oc.column('agdref_number').doNothing())
      .returning('agdref_number')
      .execute();
    inserted += rows.length;
  }
  return inserted;
}
