// The calendar benchmark's scenario (bench/calendar.ts), written by bench/server.ts before the
// server starts: `sites` sites of prefecture 93 offering the benchmark's procedure, each with
// `countersPerSite` counters open every day of the next `days` (from tomorrow, Paris time),
// 09:00–12:00 and 13:30–16:30 in 30-minute slots — released yesterday and open to first come,
// as a draw leaves slots nobody waited for.
import { DateTime } from 'luxon';
import type { OpenDatabase } from '../src/adapters/db/database.ts';
import type { CalendarScenario } from './protocol.ts';

const ZONE = 'Europe/Paris';
const TIMES = [
  '09:00',
  '09:30',
  '10:00',
  '10:30',
  '11:00',
  '11:30',
  '13:30',
  '14:00',
  '14:30',
  '15:00',
  '15:30',
  '16:00',
];

export async function createCalendarScenario(
  { db }: OpenDatabase,
  procedureId: string,
  options: { sites: number; days: number; countersPerSite: number },
): Promise<CalendarScenario> {
  const siteIds = Array.from({ length: options.sites }, (_, i) => `bench-calendar-${i + 1}`);
  await db
    .insertInto('site')
    .values(
      siteIds.map((id, i) => ({
        id,
        prefecture_id: '93',
        kind: 'sub_prefecture' as const,
        name: `Site ${i + 1} (bench)`,
        address: `${i + 1} rue du Bench`,
      })),
    )
    .execute();
  await db
    .insertInto('counter')
    .values(
      siteIds.flatMap((siteId) =>
        Array.from({ length: options.countersPerSite }, (_, c) => ({
          id: `${siteId}-${c + 1}`,
          site_id: siteId,
          name: `Guichet ${c + 1}`,
        })),
      ),
    )
    .execute();
  const releasedAt = new Date(Date.now() - 86_400_000);
  const first = DateTime.now().setZone(ZONE).plus({ days: 1 }).startOf('day');
  const dates = Array.from({ length: options.days }, (_, d) => first.plus({ days: d }).toISODate()!);
  const rows = dates.flatMap((date) =>
    TIMES.flatMap((time) => {
      const startsAt = DateTime.fromISO(`${date}T${time}`, { zone: ZONE }).toJSDate();
      return siteIds.flatMap((siteId) =>
        Array.from({ length: options.countersPerSite }, (_, c) => ({
          site_id: siteId,
          counter_id: `${siteId}-${c + 1}`,
          procedure_id: procedureId,
          starts_at: startsAt,
          ends_at: new Date(startsAt.getTime() + 30 * 60_000),
          local_date: date,
          released_at: releasedAt,
          opened_at: releasedAt,
        })),
      );
    }),
  );
  for (let i = 0; i < rows.length; i += 1000)
    await db
      .insertInto('slot')
      .values(rows.slice(i, i + 1000))
      .execute();
  return { siteIds, from: dates[0]!, to: dates[dates.length - 1]!, slots: rows.length };
}
