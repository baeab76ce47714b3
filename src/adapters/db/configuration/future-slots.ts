// The slots a configuration change reaches (ports/configuration/future-slots.ts).
import { sql } from 'kysely';
import type { ExistingSlot } from '../../../domain/configuration-rules.ts';
import type { FutureSlotRepository } from '../../../ports/configuration/future-slots.ts';
import type { Executor } from '../kysely-helpers.ts';
import { createScheduleStore } from '../schedule-store.ts';

const BATCH = 1000;

export function futureSlotRepository(db: Executor): FutureSlotRepository {
  return {
    loadSchedule: (prefectureId, fromDate, toDate) =>
      createScheduleStore(db).loadSchedule(prefectureId, fromDate, toDate),

    async listFrom(prefectureId, fromDate, toDate, now): Promise<ExistingSlot[]> {
      const { rows } = await sql<{
        id: string;
        counter_id: string;
        procedure_id: string;
        starts_at: Date;
        ends_at: Date;
        released_at: Date;
        status: 'open' | 'withdrawn';
        reserved_for_agents: boolean;
        held: boolean;
      }>`
      select s.id, s.counter_id, s.procedure_id, s.starts_at, s.ends_at, s.released_at, s.status, s.reserved_for_agents,
             (exists (select 1 from appointment a where a.slot_id = s.id and a.status <> 'cancelled')
              or exists (select 1 from offer o where o.slot_id = s.id and o.status = 'pending')) as held
        from slot s join site si on si.id = s.site_id
       where si.prefecture_id = ${prefectureId} and s.local_date between ${fromDate}::date and ${toDate}::date and s.starts_at > ${now}
       for update of s`.execute(db);
      return rows.map((r) => ({
        id: r.id,
        counterId: r.counter_id,
        procedureId: r.procedure_id,
        startsAt: new Date(r.starts_at),
        endsAt: new Date(r.ends_at),
        releasedAt: new Date(r.released_at),
        status: r.status,
        reservedForAgents: r.reserved_for_agents,
        held: r.held,
      }));
    },

    async applyPlan(siteOf, plan) {
      for (let i = 0; i < plan.withdraw.length; i += BATCH) {
        await db
          .updateTable('slot')
          .set({ status: 'withdrawn' })
          .where('id', 'in', plan.withdraw.slice(i, i + BATCH))
          .where('status', '=', 'open')
          .execute();
      }
      for (const { id, slot } of plan.update) {
        await db
          .updateTable('slot')
          .set({
            status: 'open',
            procedure_id: slot.procedureId,
            ends_at: slot.endsAt,
            released_at: slot.releasedAt,
            local_date: slot.localDate,
            reserved_for_agents: slot.reservedForAgents,
          })
          .where('id', '=', id)
          .execute();
      }
      let inserted = 0;
      for (let i = 0; i < plan.insert.length; i += BATCH) {
        const batch = plan.insert.slice(i, i + BATCH);
        const result = await db
          .insertInto('slot')
          .values(
            batch.map((s) => ({
              site_id: siteOf.get(s.counterId)!,
              counter_id: s.counterId,
              procedure_id: s.procedureId,
              starts_at: s.startsAt,
              ends_at: s.endsAt,
              local_date: s.localDate,
              released_at: s.releasedAt,
              reserved_for_agents: s.reservedForAgents,
            })),
          )
          // Without a target, DO NOTHING also skips a slot that would overlap one at the same counter.
          .onConflict((oc) => oc.doNothing())
          .executeTakeFirst();
        inserted += Number(result.numInsertedOrUpdatedRows ?? 0n);
      }
      return { withdrawn: plan.withdraw.length, updated: plan.update.length, inserted };
    },

    async withdrawInRange(siteId, counterId, dateFrom, dateTo) {
      let query = db
        .updateTable('slot')
        .set({ status: 'withdrawn' })
        .where('site_id', '=', siteId)
        .where('status', '=', 'open')
        .where('local_date', '>=', dateFrom)
        .where('local_date', '<=', dateTo);
      if (counterId) query = query.where('counter_id', '=', counterId);
      return (await query.returning('id').execute()).map((r) => r.id);
    },
  };
}
