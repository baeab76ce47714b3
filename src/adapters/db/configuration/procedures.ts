// Procedures and the procedures each site offers (ports/configuration/procedures.ts).
import type { ProcedureRepository, SiteOfferRepository } from '../../../ports/configuration/procedures.ts';
import type { ConfigProcedure } from '../../../ports/configuration-store.ts';
import type { Executor, RowOf } from '../kysely-helpers.ts';

function procedures(db: Executor) {
  return db
    .selectFrom('procedure')
    .select([
      'id',
      'name_fr',
      'name_en',
      'slot_minutes',
      'channel',
      'release_days_ahead',
      'release_time',
      'offer_hours',
      'max_ignored_offers',
      'max_declines',
    ]);
}
const toProcedure = (r: RowOf<typeof procedures>): ConfigProcedure => ({
  id: r.id,
  nameFr: r.name_fr,
  nameEn: r.name_en,
  slotMinutes: r.slot_minutes,
  channel: r.channel,
  releaseDaysAhead: r.release_days_ahead,
  releaseTime: r.release_time,
  offerHours: r.offer_hours,
  maxIgnoredOffers: Number(r.max_ignored_offers),
  maxDeclines: Number(r.max_declines),
});

export function procedureRepository(db: Executor): ProcedureRepository {
  return {
    list: async () => (await procedures(db).orderBy('name_fr').execute()).map(toProcedure),
    async get(id) {
      const r = await procedures(db).where('id', '=', id).executeTakeFirst();
      return r ? toProcedure(r) : null;
    },
    async updatePolicy(id, p) {
      await db
        .updateTable('procedure')
        .set({
          release_days_ahead: p.releaseDaysAhead,
          release_time: p.releaseTime,
          offer_hours: p.offerHours,
          max_ignored_offers: p.maxIgnoredOffers,
          max_declines: p.maxDeclines,
        })
        .where('id', '=', id)
        .execute();
    },
  };
}

export function siteOfferRepository(db: Executor): SiteOfferRepository {
  return {
    listAtSite: async (siteId) =>
      (await db.selectFrom('site_procedure').selectAll().where('site_id', '=', siteId).execute()).map((r) => ({
        siteId: r.site_id,
        procedureId: r.procedure_id,
        offered: r.offered,
        reservedPercent: Number(r.reserved_percent),
      })),
    async upsert(o) {
      await db
        .insertInto('site_procedure')
        .values({
          site_id: o.siteId,
          procedure_id: o.procedureId,
          offered: o.offered,
          reserved_percent: o.reservedPercent,
        })
        .onConflict((oc) =>
          oc
            .columns(['site_id', 'procedure_id'])
            .doUpdateSet({ offered: o.offered, reserved_percent: o.reservedPercent }),
        )
        .execute();
    },
  };
}
