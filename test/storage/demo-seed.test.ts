import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import { type DemoSeedReport, hasCatalogue, seedDemo } from '../../src/demo/demo-seed.ts';
import { addDays } from '../../src/domain/calendar-date.ts';
import { publicHolidays } from '../../src/domain/holidays.ts';
import { describeEachEngine } from '../support/databases.ts';
import { TestClock, testContext } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T06:00:00Z'); // Monday 1 June 2026, 08:00 in Paris
const HORIZON_DAYS = 60;

describeEachEngine('demo seed', (database) => {
  const clock = new TestClock(NOW);
  const ctx = () => testContext(database().db, clock);
  let report: DemoSeedReport;

  before(async () => {
    assert.equal(await hasCatalogue(database().db), false);
    report = await seedDemo(database().db, ctx(), { horizonDays: HORIZON_DAYS });
  });

  const count = async (table: 'site' | 'counter' | 'procedure' | 'slot' | 'appointment' | 'opening_rule') =>
    (await database().db.selectFrom(table).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n;

  it('seeds the catalogue, the slots of the horizon and demo appointments', async () => {
    const db = database().db;
    assert.equal(report.skipped, false);
    assert.equal(await hasCatalogue(db), true);
    assert.equal(report.prefectures, 2);
    const sites93 = await db.selectFrom('site').select('id').where('prefecture_id', '=', '93').execute();
    assert.ok(sites93.length >= 4);
    const counters93 = await db
      .selectFrom('counter')
      .innerJoin('site', 'site.id', 'counter.site_id')
      .select('counter.id')
      .where('site.prefecture_id', '=', '93')
      .execute();
    assert.ok(counters93.length >= 10);
    assert.ok(report.counters >= 12);
    assert.ok(report.procedures >= 8);
    assert.equal(await count('procedure'), report.procedures);
    assert.equal(await count('opening_rule'), report.openingRules);
    assert.ok(report.slots > 1000, `slots: ${report.slots}`);
    assert.ok(report.history >= 100, `history: ${report.history}`);
    assert.equal(
      await count('slot'),
      report.slots + report.history,
      'the horizon, and one past slot per past appointment',
    );
    assert.ok(report.appointments >= 30, `appointments: ${report.appointments}`);
    assert.equal(await count('appointment'), report.appointments + report.history);
    // The past weeks' appointments were handled at the counter: mostly served, some no-shows.
    const past = await db.selectFrom('appointment').select(['status']).where('surname', '=', 'Historique').execute();
    assert.equal(past.length, report.history);
    const noShows = past.filter((a) => a.status === 'no_show').length;
    assert.ok(noShows > 0 && noShows < past.length / 4, `no-shows: ${noShows} of ${past.length}`);
    assert.ok(past.filter((a) => a.status === 'served').length > past.length / 2);
    // The demo's applicants are fictitious: their confirmations were written, and cancelled.
    const outbox = await db.selectFrom('outbox').select(['status', 'payload']).execute();
    assert.ok(outbox.length >= report.appointments, `outbox: ${outbox.length}`);
    assert.deepEqual([...new Set(outbox.map((m) => m.status))], ['cancelled']);
    assert.ok(
      outbox.every((m) => !('managementToken' in (m.payload as object))),
      'no token kept',
    );
    // One procedure of each non-counter channel, with instructions for the applicant.
    const other = await db
      .selectFrom('procedure')
      .select(['id', 'channel', 'instructions_fr'])
      .where('channel', '<>', 'appointment')
      .execute();
    assert.deepEqual(new Set(other.map((p) => p.channel)), new Set(['online', 'postal']));
    for (const p of other) assert.notEqual(p.instructions_fr, '');
    // Every appointment carries the proof its procedure requires; the upcoming ones a fictitious email.
    const rows = await db
      .selectFrom('appointment as a')
      .innerJoin('procedure as p', 'p.id', 'a.procedure_id')
      .select(['a.email', 'a.agdref_number', 'a.passport_number', 'a.nationality', 'p.identity_proof', 'a.surname'])
      .execute();
    for (const r of rows) {
      if (r.surname !== 'Historique') assert.match(r.email ?? '', /@example\.(org|net)$/);
      if (r.identity_proof === 'agdref') assert.match(r.agdref_number ?? '', /^\d{10}$/);
      else assert.ok(r.passport_number);
    }
    assert.ok(new Set(rows.map((r) => r.nationality)).size >= 10);
  });

  it('seeds both faces of the one flow in 93: scarce queues with a waiting crowd and daily draws, calm ones drawn every 15 minutes and open', async () => {
    const db = database().db;
    assert.deepEqual(await db.selectFrom('draw_schedule').select(['prefecture_id', 'daily_at']).execute(), [
      { prefecture_id: '93', daily_at: '07:00' },
    ]);
    const cadences = await db
      .selectFrom('draw_cadence')
      .select(['procedure_id', 'every_minutes'])
      .where('prefecture_id', '=', '93')
      .orderBy('procedure_id')
      .execute();
    assert.deepEqual(
      cadences.map((c) => [c.procedure_id, c.every_minutes]),
      [
        ['duplicata', 15],
        ['etudiant', 15],
        ['passeport-talent', 15],
        ['remise-titre', 15],
      ],
    );
    assert.ok(report.requests >= 2400, `requests: ${report.requests}`);
    const requests = await db
      .selectFrom('allocation_request')
      .select([
        'status',
        'prefecture_id',
        'procedure_id',
        'urgency_date',
        'urgency_status',
        'site_ids',
        'filed_at',
        'email',
        'queued_on',
      ])
      .execute();
    assert.equal(requests.length, report.requests);
    const byProcedure = new Map<string, number>();
    for (const r of requests) {
      assert.deepEqual([r.status, r.prefecture_id], ['waiting', '93']);
      assert.match(r.email, /@(example\.(org|net)|demo\.creneau\.fr)$/);
      assert.ok(r.filed_at.getTime() < NOW.getTime());
      byProcedure.set(r.procedure_id, (byProcedure.get(r.procedure_id) ?? 0) + 1);
    }
    assert.deepEqual([...byProcedure.keys()].sort(), ['naturalisation', 'premiere-demande', 'renouvellement']);
    const today = DateTime.fromJSDate(NOW, { zone: 'Europe/Paris' }).toISODate()!;
    assert.ok(
      requests.some((r) => r.urgency_date !== null && r.urgency_date < today && r.urgency_status === 'pending'),
      'a declared expired permit, waiting for an agent',
    );
    assert.ok(
      requests.some((r) => r.urgency_date === null),
      'no urgency',
    );
    assert.ok(new Set(requests.map((r) => r.queued_on)).size >= 30, 'many batches');
    // The scarce queues: nothing is open to first come; the calm ones: their first draw opened them.
    const open = await db
      .selectFrom('slot')
      .select(['procedure_id'])
      .where('opened_at', 'is not', null)
      .where('starts_at', '>', NOW)
      .distinct()
      .execute();
    const openProcedures = new Set(open.map((o) => o.procedure_id));
    for (const scarce of ['premiere-demande', 'renouvellement', 'naturalisation'])
      assert.equal(openProcedures.has(scarce), false, scarce);
    for (const calm of ['remise-titre', 'etudiant']) assert.equal(openProcedures.has(calm), true, calm);
  });

  it('puts no slot on a public holiday of the département, nor on a Sunday in 93', async () => {
    const db = database().db;
    const today = DateTime.fromJSDate(NOW, { zone: 'Europe/Paris' }).toISODate()!;
    const last = addDays(today, HORIZON_DAYS);
    const years = [...new Set([Number(today.slice(0, 4)), Number(last.slice(0, 4))])];
    for (const prefectureId of ['93', '973']) {
      const holidays = years
        .flatMap((y) => publicHolidays(y, prefectureId).map((h) => h.date))
        .filter((d) => d >= today && d <= last);
      assert.ok(holidays.length > 0, `a holiday falls in the horizon for ${prefectureId}`);
      const onHolidays = await db
        .selectFrom('slot')
        .innerJoin('site', 'site.id', 'slot.site_id')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('site.prefecture_id', '=', prefectureId)
        .where('slot.local_date', 'in', holidays)
        .executeTakeFirstOrThrow();
      assert.equal(onHolidays.n, 0, `slots on holidays of ${prefectureId}`);
    }
    const slots93 = await db
      .selectFrom('slot')
      .innerJoin('site', 'site.id', 'slot.site_id')
      .select(['slot.starts_at', 'slot.local_date'])
      .where('site.prefecture_id', '=', '93')
      .execute();
    const weekdays = new Set<number>();
    for (const s of slots93) {
      const local = DateTime.fromJSDate(s.starts_at, { zone: 'Europe/Paris' });
      assert.equal(local.toISODate(), s.local_date);
      weekdays.add(local.weekday);
    }
    assert.equal(weekdays.has(7), false, 'no slot on a Sunday');
    // The exceptional Saturday morning at Bobigny.
    assert.equal(weekdays.has(6), true, 'the exceptional Saturday opening');
  });

  it('applies the training-day closure to its counter only', async () => {
    const db = database().db;
    const closure = await db.selectFrom('closure').selectAll().executeTakeFirstOrThrow();
    const onClosed = await db
      .selectFrom('slot')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('counter_id', '=', closure.counter_id!)
      .where('local_date', '=', closure.date_from)
      .executeTakeFirstOrThrow();
    assert.equal(onClosed.n, 0);
    const otherCounters = await db
      .selectFrom('slot')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('site_id', '=', closure.site_id)
      .where('counter_id', '<>', closure.counter_id!)
      .where('local_date', '=', closure.date_from)
      .executeTakeFirstOrThrow();
    assert.ok(otherCounters.n > 0);
  });

  it('opens Cayenne at 09:00 local time, that is 12:00Z', async () => {
    const db = database().db;
    const slots = await db
      .selectFrom('slot')
      .select(['starts_at', 'local_date'])
      .where('site_id', '=', 'cayenne')
      .orderBy('starts_at')
      .execute();
    assert.ok(slots.length > 0);
    const firstOfDay = new Map<string, Date>();
    for (const s of slots) if (!firstOfDay.has(s.local_date)) firstOfDay.set(s.local_date, s.starts_at);
    for (const [date, startsAt] of firstOfDay) assert.equal(startsAt.toISOString(), `${date}T12:00:00.000Z`);
  });

  it('lists open slots for permit handovers at Bobigny, and none for renewals (drawn among requests)', async () => {
    const today = DateTime.fromJSDate(NOW, { zone: 'Europe/Paris' }).toISODate()!;
    const renewals = await ctx().store.listFreeSlots({
      procedureId: 'renouvellement',
      siteIds: ['bobigny'],
      fromDate: today,
      toDate: addDays(today, 30),
      now: NOW,
      limit: 50,
    });
    assert.equal(renewals.length, 0);
    const free = await ctx().store.listFreeSlots({
      procedureId: 'remise-titre',
      siteIds: ['bobigny'],
      fromDate: today,
      toDate: addDays(today, 30),
      now: NOW,
      limit: 50,
    });
    assert.ok(free.length > 0);
    for (const f of free) {
      assert.equal(f.siteId, 'bobigny');
      assert.ok(f.startsAt.getTime() > NOW.getTime());
    }
  });

  it('does nothing when run again', async () => {
    const before = {
      slots: await count('slot'),
      appointments: await count('appointment'),
      sites: await count('site'),
      rules: await count('opening_rule'),
    };
    const again = await seedDemo(database().db, ctx(), { horizonDays: HORIZON_DAYS });
    assert.deepEqual(again, {
      createdAgents: [],
      skipped: true,
      prefectures: 0,
      sites: 0,
      counters: 0,
      procedures: 0,
      openingRules: 0,
      slots: 0,
      appointments: 0,
      requests: 0,
      history: 0,
    });
    assert.deepEqual(
      {
        slots: await count('slot'),
        appointments: await count('appointment'),
        sites: await count('site'),
        rules: await count('opening_rule'),
      },
      before,
    );
  });
});
