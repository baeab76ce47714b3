// Prefectures (ports/prefectures.ts): read only.
import type { PrefectureRepository } from '../../ports/prefectures.ts';
import type { Executor } from './kysely-helpers.ts';

export function prefectureRepository(db: Executor): PrefectureRepository {
  return {
    list: async () =>
      (await db.selectFrom('prefecture').select(['id', 'name', 'time_zone']).orderBy('id').execute()).map((r) => ({
        id: r.id,
        name: r.name,
        timeZone: r.time_zone,
      })),
    async get(id) {
      const r = await db
        .selectFrom('prefecture')
        .select(['id', 'name', 'time_zone'])
        .where('id', '=', id)
        .executeTakeFirst();
      return r ? { id: r.id, name: r.name, timeZone: r.time_zone } : null;
    },
  };
}
