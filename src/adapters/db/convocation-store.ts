// Kysely implementation of the convocation store, the same on PostgreSQL and PGlite.

import type { Appointment } from '../../ports/booking-store.ts';
import type { ConvocationAppointment, ConvocationStore } from '../../ports/convocation-store.ts';
import { appointmentQuery, toAppointment } from './booking-store.ts';
import type { Db } from './database.ts';

const toConvocationAppointment = (a: Appointment, prefectureId: string): ConvocationAppointment => ({
  id: a.id,
  reference: a.reference,
  status: a.status,
  surname: a.surname,
  givenNames: a.givenNames,
  birthDate: a.birthDate,
  nationality: a.nationality,
  procedureId: a.procedureId,
  siteId: a.siteId,
  prefectureId,
  startsAt: a.startsAt,
  endsAt: a.endsAt,
  timeZone: a.timeZone,
});

export function createConvocationStore(db: Db): ConvocationStore {
  return {
    async findAppointmentById(id) {
      const row = await appointmentQuery(db).select('si.prefecture_id').where('a.id', '=', id).executeTakeFirst();
      return row ? toConvocationAppointment(toAppointment(row), row.prefecture_id) : null;
    },
    async findAppointmentByReference(reference) {
      const row = await appointmentQuery(db)
        .select('si.prefecture_id')
        .where('a.reference', '=', reference)
        .executeTakeFirst();
      return row ? toConvocationAppointment(toAppointment(row), row.prefecture_id) : null;
    },
  };
}
