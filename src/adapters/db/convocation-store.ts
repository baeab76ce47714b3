// Kysely implementation of the convocation store, the same on PostgreSQL and PGlite.
import type { ConvocationAppointment, ConvocationStore } from '../../ports/convocation-store.ts';
import type { Db } from './database.ts';

function appointmentQuery(db: Db) {
  return db
    .selectFrom('appointment as a')
    .innerJoin('slot as s', 's.id', 'a.slot_id')
    .innerJoin('site as si', 'si.id', 'a.site_id')
    .innerJoin('prefecture as p', 'p.id', 'si.prefecture_id')
    .select([
      'a.id', 'a.reference', 'a.status', 'a.surname', 'a.given_names', 'a.birth_date', 'a.nationality',
      'a.procedure_id', 'a.site_id', 's.starts_at', 's.ends_at', 'p.time_zone',
    ]);
}
type Row = Awaited<ReturnType<ReturnType<typeof appointmentQuery>['executeTakeFirstOrThrow']>>;

const toConvocationAppointment = (r: Row): ConvocationAppointment => ({
  id: r.id, reference: r.reference, status: r.status, surname: r.surname, givenNames: r.given_names,
  birthDate: r.birth_date, nationality: r.nationality, procedureId: r.procedure_id, siteId: r.site_id,
  startsAt: new Date(r.starts_at), endsAt: new Date(r.ends_at), timeZone: r.time_zone,
});

export function createConvocationStore(db: Db): ConvocationStore {
  return {
    async findAppointmentById(id) {
      const row = await appointmentQuery(db).where('a.id', '=', id).executeTakeFirst();
      return row ? toConvocationAppointment(row) : null;
    },
    async findAppointmentByReference(reference) {
      const row = await appointmentQuery(db).where('a.reference', '=', reference).executeTakeFirst();
      return row ? toConvocationAppointment(row) : null;
    },
  };
}
