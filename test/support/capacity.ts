// Capacity planning's known scenario (storage and HTTP tests): in prefecture 93, at `now`,
// 120 requests waiting (filed before the last 8 weeks), 40 filed a week over the 8 weeks
// (booked since), 20 appointments due in them with 2 no-shows (10 %), and `openCounters`
// counters open 9:00–12:00 Monday to Friday with 30-minute slots (15 counter-hours a week
// each); a Saturday antenna with no hours. Beside each, what must not count: another
// procedure's requests, rule and no-show, a request just over 8 weeks old, a cancelled, a
// future and a 9-week-old appointment, an inactive counter's rule, an expired rule.
import type { Db } from '../../src/adapters/db/database.ts';
import { createScenario } from './scenario.ts';
import { appointment, DAY_MS } from './statistics.ts';

let n = 0;
async function requests(
  db: Db,
  s: { prefectureId: string; procedureId: string; siteId: string },
  filedAt: Date[],
  status: 'waiting' | 'booked' | 'closed',
) {
  await db
    .insertInto('allocation_request')
    .values(
      filedAt.map((at) => {
        const i = ++n;
        return {
          reference: `CAP-${i}`,
          prefecture_id: s.prefectureId,
          procedure_id: s.procedureId,
          status,
          site_ids: [s.siteId],
          surname: 'Person',
          given_names: 'Test',
          birth_date: '1990-01-01',
          nationality: 'MLI',
          email: `cap${i}@example.test`,
          email_key: `cap-email-key-${i}`,
          passport_number: `C${i}`,
          identity_key: `cap-identity-${i}`,
          management_token_hash: `cap-token-${i}`,
          filed_at: at,
          updated_at: at,
          queued_on: at.toISOString().slice(0, 10),
        };
      }),
    )
    .execute();
}

export async function capacityScenario(db: Db, now: Date, openCounters: 1 | 2) {
  const s = await createScenario(db, { prefectureId: '93', counters: 3 });
  const other = await createScenario(db, { prefectureId: '93' });
  const antenna = `antenna-${s.siteId}`;
  await db
    .insertInto('site')
    .values({ id: antenna, prefecture_id: '93', kind: 'antenna', name: 'Antenne du samedi', address: '2 rue' })
    .execute();
  const ago = (ms: number) => new Date(now.getTime() - ms);
  await requests(
    db,
    s,
    Array.from({ length: 120 }, (_, i) => ago((60 + i) * DAY_MS)),
    'waiting',
  );
  await requests(
    db,
    s,
    Array.from({ length: 320 }, (_, i) => ago((i * 56 * DAY_MS) / 320 + 1000)),
    'booked',
  );
  await requests(
    db,
    other,
    Array.from({ length: 5 }, () => ago(DAY_MS)),
    'waiting',
  );
  await requests(db, s, [ago(57 * DAY_MS)], 'closed');
  const past = await s.addSlots(21, ago(30 * DAY_MS));
  for (let i = 0; i < 20; i++)
    await appointment(db, s, past[i]!, { createdAt: ago(40 * DAY_MS), status: i < 2 ? 'no_show' : 'served' });
  await appointment(db, s, past[20]!, { createdAt: ago(40 * DAY_MS), status: 'cancelled' });
  const [future] = await s.addSlots(1, new Date(now.getTime() + 2 * DAY_MS));
  await appointment(db, s, future!, { createdAt: now, status: 'booked' });
  const [old] = await s.addSlots(1, ago(63 * DAY_MS));
  await appointment(db, s, old!, { createdAt: ago(70 * DAY_MS), status: 'no_show' });
  const [otherSlot] = await other.addSlots(1, ago(3 * DAY_MS));
  await appointment(db, other, otherSlot!, { createdAt: ago(9 * DAY_MS), status: 'no_show' });
  const rule = (counterId: string, procedureId: string, validUntil: string | null = null) => ({
    counter_id: counterId,
    procedure_id: procedureId,
    weekdays: [1, 2, 3, 4, 5],
    valid_from: '2026-01-05',
    valid_until: validUntil,
    windows: JSON.stringify([{ start: '09:00', end: '12:00' }]),
    slot_minutes: 30,
  });
  await db
    .insertInto('opening_rule')
    .values([
      ...s.counterIds.slice(0, openCounters).map((c) => rule(c, s.procedureId)),
      rule(s.counterIds[2]!, s.procedureId),
      rule(s.counterIds[0]!, s.procedureId, '2026-06-01'),
      rule(s.counterIds[1]!, other.procedureId),
    ])
    .execute();
  await db.updateTable('counter').set({ active: false }).where('id', '=', s.counterIds[2]!).execute();
  return { ...s, antenna, other };
}
