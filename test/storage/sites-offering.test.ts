// Which sites offer a procedure (app/catalogue/sites-offering.ts over the booking store's
// listSitesOffering), on both engines: a site with an active counter open for it, an
// exceptional opening ahead or a slot ahead is listed, with the next release of its slots; a
// site withdrawn from it, without a rule for it, whose rule has ended or whose counter is
// inactive is not.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createBookingStore } from '../../src/adapters/db/booking-store.ts';
import { sitesOffering } from '../../src/app/catalogue/sites-offering.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { describeEachEngine } from '../support/databases.ts';
import { createScenario, TestClock } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z');
const IN_A_WEEK = new Date('2026-06-08T07:00:00Z');

describeEachEngine('sites offering a procedure', (database) => {
  it('lists only the sites that offer it, each with its next release', async () => {
    const db = database().db;
    const s = await createScenario(db, { prefectureId: '94' });
    const rule = (counterId: string, validUntil: string | null = null) =>
      db
        .insertInto('opening_rule')
        .values({
          counter_id: counterId,
          procedure_id: s.procedureId,
          weekdays: [1, 2, 3, 4, 5],
          valid_from: '2026-01-01',
          valid_until: validUntil,
          windows: JSON.stringify([{ start: '09:00', end: '12:00' }]),
          slot_minutes: 30,
        })
        .execute();
    const site = async (id: string, counterActive = true) => {
      await db
        .insertInto('site')
        .values({ id, prefecture_id: '94', kind: 'antenna', name: `Antenne ${id}`, address: '2 rue X' })
        .execute();
      await db
        .insertInto('counter')
        .values({ id: `${id}-g1`, site_id: id, name: 'Guichet 1', active: counterActive })
        .execute();
      return `${id}-g1`;
    };
    // The scenario's site: a rule, slots released now and others released in two and five days.
    await rule(s.counterIds[0]!);
    await s.addSlots(2, IN_A_WEEK, { releasedAt: new Date('2026-06-03T08:00:00Z') });
    await s.addSlots(2, new Date('2026-06-10T07:00:00Z'), { releasedAt: new Date('2026-06-06T08:00:00Z') });
    await s.addSlots(2, new Date('2026-06-02T07:00:00Z'), { releasedAt: new Date('2026-05-20T08:00:00Z') });
    // Withdrawn from the procedure, though its counter has a rule.
    await rule(await site('withdrawn'));
    await db
      .insertInto('site_procedure')
      .values({ site_id: 'withdrawn', procedure_id: s.procedureId, offered: false })
      .execute();
    // No rule for the procedure at all.
    await site('no-rule');
    // A rule that ended yesterday.
    await rule(await site('ended'), '2026-05-31');
    // A rule on an inactive counter.
    await rule(await site('inactive', false));
    // An exceptional opening ahead, and nothing released yet: listed, no release planned.
    await db
      .insertInto('exceptional_opening')
      .values({
        counter_id: await site('exceptional'),
        procedure_id: s.procedureId,
        date: '2026-06-20',
        windows: JSON.stringify([{ start: '09:00', end: '12:00' }]),
        slot_minutes: 30,
      })
      .execute();
    // A rule that ends today: still offered today.
    await rule(await site('last-day'), '2026-06-01');

    const ctx = { store: createBookingStore(db), clock: new TestClock(NOW) };
    const { prefecture, sites } = await sitesOffering(ctx, { prefectureId: '94', procedureId: s.procedureId });
    assert.equal(prefecture.id, '94');
    assert.deepEqual(sites.map((x) => x.id).sort(), ['exceptional', 'last-day', s.siteId].sort());
    const main = sites.find((x) => x.id === s.siteId)!;
    assert.equal(main.nextReleaseAt?.toISOString(), '2026-06-03T08:00:00.000Z', 'the earliest release still ahead');
    assert.equal(sites.find((x) => x.id === 'exceptional')!.nextReleaseAt, null);

    // Two days later the first release is past: the next one is the one after.
    const later = { ...ctx, clock: new TestClock(new Date('2026-06-04T08:00:00Z')) };
    const { sites: afterwards } = await sitesOffering(later, { prefectureId: '94', procedureId: s.procedureId });
    assert.equal(afterwards.find((x) => x.id === s.siteId)!.nextReleaseAt?.toISOString(), '2026-06-06T08:00:00.000Z');
    assert.equal(
      afterwards.some((x) => x.id === 'last-day'),
      false,
      'its rule has ended by then',
    );
  });

  it('refuses an unknown prefecture with PREFECTURE_NOT_FOUND', async () => {
    const ctx = { store: createBookingStore(database().db), clock: new TestClock(NOW) };
    await assert.rejects(
      sitesOffering(ctx, { prefectureId: '00', procedureId: 'x' }),
      (e) => e instanceof DomainError && e.code === 'PREFECTURE_NOT_FOUND',
    );
  });
});
