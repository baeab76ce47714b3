// Sites and counters (ports/configuration/places.ts).
import { sql } from 'kysely';
import { DomainError } from '../../../domain/errors.ts';
import type { CounterRepository, SiteRepository } from '../../../ports/configuration/places.ts';
import type { ConfigCounter, ConfigSite } from '../../../ports/configuration-store.ts';
import type { Executor, RowOf } from '../kysely-helpers.ts';

function translate(error: unknown): never {
  const { code, constraint } = (error && typeof error === 'object' ? error : {}) as {
    code?: string;
    constraint?: string;
  };
  if (code === '23505' && constraint === 'counter_name_per_site') throw new DomainError('COUNTER_NAME_TAKEN');
  throw error;
}

const toSite = (r: {
  id: string;
  prefecture_id: string;
  kind: ConfigSite['kind'];
  name: string;
  address: string;
  phone: string | null;
  public_hours: string | null;
}): ConfigSite => ({
  id: r.id,
  prefectureId: r.prefecture_id,
  kind: r.kind,
  name: r.name,
  address: r.address,
  phone: r.phone,
  publicHours: r.public_hours,
});

export function siteRepository(db: Executor): SiteRepository {
  return {
    listInPrefecture: async (prefectureId) =>
      (await db.selectFrom('site').selectAll().where('prefecture_id', '=', prefectureId).orderBy('name').execute()).map(
        toSite,
      ),
    async get(id) {
      const r = await db.selectFrom('site').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toSite(r) : null;
    },
    async update(id, f) {
      await db
        .updateTable('site')
        .set({ name: f.name, address: f.address, phone: f.phone, public_hours: f.publicHours })
        .where('id', '=', id)
        .execute();
    },
  };
}

function counters(db: Executor) {
  return db
    .selectFrom('counter as c')
    .innerJoin('site as s', 's.id', 'c.site_id')
    .select(['c.id', 'c.site_id', 's.prefecture_id', 'c.name', 'c.active']);
}
const toCounter = (r: RowOf<typeof counters>): ConfigCounter => ({
  id: r.id,
  siteId: r.site_id,
  prefectureId: r.prefecture_id,
  name: r.name,
  active: r.active,
});

export function counterRepository(db: Executor): CounterRepository {
  const get = async (id: string) => {
    const r = await counters(db).where('c.id', '=', id).executeTakeFirst();
    return r ? toCounter(r) : null;
  };
  return {
    listAtSite: async (siteId) =>
      (await counters(db).where('c.site_id', '=', siteId).orderBy('c.name').execute()).map(toCounter),
    get,
    async insert(siteId, name) {
      // The id is the database's: 'c-' and 12 hex digits (counter ids are text, see migration 0001).
      const row = await db
        .insertInto('counter')
        .values({ id: sql<string>`'c-' || substr(md5(gen_random_uuid()::text), 1, 12)`, site_id: siteId, name })
        .returning(['id'])
        .executeTakeFirstOrThrow()
        .catch(translate);
      return (await get(row.id))!;
    },
    async update(id, f) {
      await db
        .updateTable('counter')
        .set({ name: f.name, active: f.active })
        .where('id', '=', id)
        .execute()
        .catch(translate);
    },
  };
}
