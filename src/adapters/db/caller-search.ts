// Kysely implementation of the agents' search for people (ports/caller-search.ts), the same
// on PostgreSQL and PGlite. Exact keys use indexes (reference: unique; phone, email_key:
// migrations 0001 and 0017); name words are compared on lower-case, unaccented names.
import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import type { SearchCriteria } from '../../domain/caller-search.ts';
import { isUuid } from '../../domain/identifiers.ts';
import type { CallerSearch, CallerSearchHit } from '../../ports/caller-search.ts';
import type { Db } from './database.ts';
import { requestStatus } from './request-status.ts';
import type { Database } from './schema.ts';

// normaliseName (domain/identity.ts) strips accents with NFKD; the database compares through
// translate(), which covers the Latin letters names are typed with.
const ACCENTED = 'àáâãäåāăąçćčďèéêëēėęěìíîïīįłñńňòóôõöøōőùúûüūůűýÿžźżš';
const PLAIN = 'aaaaaaaaacccdeeeeeeeeiiiiiilnnnoooooooouuuuuuuyyzzzs';

type Alias = 'a' | 'r';

function matching(criteria: SearchCriteria, t: Alias) {
  return (eb: ExpressionBuilder<Database & Record<Alias, Database['appointment']>, Alias>) => {
    const ref = (column: string) => sql.ref(`${t}.${column}`);
    const any: Expression<SqlBool>[] = [];
    if (criteria.references.length) any.push(sql<SqlBool>`${ref('reference')} in (${sql.join(criteria.references)})`);
    if (criteria.phones.length) any.push(sql<SqlBool>`${ref('phone')} in (${sql.join(criteria.phones)})`);
    if (criteria.emailKeys.length) any.push(sql<SqlBool>`${ref('email_key')} in (${sql.join(criteria.emailKeys)})`);
    if (criteria.agdrefNumbers.length)
      any.push(sql<SqlBool>`${ref('agdref_number')} in (${sql.join(criteria.agdrefNumbers)})`);
    if (criteria.passportNumbers.length)
      any.push(sql<SqlBool>`${ref('passport_number')} in (${sql.join(criteria.passportNumbers)})`);
    if (criteria.nameWords.length) {
      // Letters and digits only: "N'Diaye-Diop" → "ndiayediop", found by "ndiaye" and by "diop".
      const names = sql`regexp_replace(translate(lower(${ref('surname')} || ${ref('given_names')}), ${ACCENTED}, ${PLAIN}), '[^[:alnum:]]', '', 'g')`;
      any.push(eb.and(criteria.nameWords.map((w) => sql<SqlBool>`${names} like ${`%${w}%`}`)));
    }
    return any.length ? eb.or(any) : sql<SqlBool>`false`;
  };
}

const appointmentsOf = (db: Db) =>
  db
    .selectFrom('appointment as a')
    .innerJoin('slot as s', 's.id', 'a.slot_id')
    .innerJoin('site as si', 'si.id', 'a.site_id')
    .innerJoin('prefecture as p', 'p.id', 'si.prefecture_id')
    .innerJoin('procedure as pr', 'pr.id', 'a.procedure_id')
    .select([
      'a.id',
      'a.reference',
      'a.status',
      'si.prefecture_id',
      'p.time_zone',
      'a.surname',
      'a.given_names',
      'a.birth_date',
      'a.email',
      'a.phone',
      'a.channel',
      'a.procedure_id',
      'pr.name_fr',
      'pr.name_en',
      'a.site_id',
      'si.name as site_name',
      's.starts_at',
      's.ends_at',
      'a.created_at',
    ]);

type AppointmentRow = Awaited<ReturnType<ReturnType<typeof appointmentsOf>['execute']>>[number];

const appointmentHit = (r: AppointmentRow): CallerSearchHit => ({
  kind: 'appointment',
  id: r.id,
  reference: r.reference,
  status: r.status,
  prefectureId: r.prefecture_id,
  timeZone: r.time_zone,
  surname: r.surname,
  givenNames: r.given_names,
  birthDate: r.birth_date,
  email: r.email,
  phone: r.phone,
  channel: r.channel,
  procedureId: r.procedure_id,
  procedureNameFr: r.name_fr,
  procedureNameEn: r.name_en,
  siteId: r.site_id,
  siteName: r.site_name,
  startsAt: new Date(r.starts_at),
  endsAt: new Date(r.ends_at),
  createdAt: new Date(r.created_at),
});

/** The order of both queries (upper case, code points: collate "C"), so that merging them keeps it. */
const compare = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
const byName = (x: CallerSearchHit, y: CallerSearchHit) =>
  compare(x.surname.toUpperCase(), y.surname.toUpperCase()) ||
  compare(x.givenNames.toUpperCase(), y.givenNames.toUpperCase()) ||
  compare(x.reference, y.reference);

export function createCallerSearch(db: Db): CallerSearch {
  return {
    async search(q) {
      // Each list sorted and cut at the end of the page asked, then merged: the page is exact.
      const upTo = q.offset + q.limit;
      let appointments = appointmentsOf(db)
        .where(matching(q.criteria, 'a') as never)
        .orderBy(sql`upper(a.surname) collate "C"`)
        .orderBy(sql`upper(a.given_names) collate "C"`)
        .orderBy(sql`a.reference collate "C"`)
        .limit(upTo);
      let requests = db
        .selectFrom('allocation_request as r')
        .innerJoin('prefecture as p', 'p.id', 'r.prefecture_id')
        .innerJoin('procedure as pr', 'pr.id', 'r.procedure_id')
        .select([
          'r.id',
          'r.reference',
          requestStatus('r').as('status'),
          'r.prefecture_id',
          'p.time_zone',
          'r.surname',
          'r.given_names',
          'r.birth_date',
          'r.email',
          'r.phone',
          'r.channel',
          'r.procedure_id',
          'pr.name_fr',
          'pr.name_en',
          'r.filed_at',
        ])
        .where(matching(q.criteria, 'r') as never)
        .orderBy(sql`upper(r.surname) collate "C"`)
        .orderBy(sql`upper(r.given_names) collate "C"`)
        .orderBy(sql`r.reference collate "C"`)
        .limit(upTo);
      if (q.prefectureId !== null) {
        appointments = appointments.where('si.prefecture_id', '=', q.prefectureId);
        requests = requests.where('r.prefecture_id', '=', q.prefectureId);
      }
      const hits: CallerSearchHit[] = [
        ...(await appointments.execute()).map(appointmentHit),
        ...(await requests.execute()).map(
          (r): CallerSearchHit => ({
            kind: 'request',
            id: r.id,
            reference: r.reference,
            status: r.status,
            prefectureId: r.prefecture_id,
            timeZone: r.time_zone,
            surname: r.surname,
            givenNames: r.given_names,
            birthDate: r.birth_date,
            email: r.email,
            phone: r.phone,
            channel: r.channel,
            procedureId: r.procedure_id,
            procedureNameFr: r.name_fr,
            procedureNameEn: r.name_en,
            siteId: null,
            siteName: null,
            startsAt: null,
            endsAt: null,
            createdAt: new Date(r.filed_at),
          }),
        ),
      ];
      return hits.sort(byName).slice(q.offset, upTo);
    },

    async findAppointment(id) {
      if (!isUuid(id)) return null;
      const row = await appointmentsOf(db).where('a.id', '=', id).executeTakeFirst();
      return row ? appointmentHit(row) : null;
    },
  };
}
