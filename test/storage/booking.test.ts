import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import { sql } from 'kysely';
import { type BookingConfirmation, type BookSlotInput, bookSlot } from '../../src/app/booking/book-slot.ts';
import { cancelAppointment } from '../../src/app/booking/cancel-appointment.ts';
import { rescheduleAppointment } from '../../src/app/booking/reschedule-appointment.ts';
import { viewAppointment } from '../../src/app/booking/view-appointment.ts';
import { purgeIdempotencyRecords } from '../../src/app/shared/purge-idempotency-records.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { emailKey } from '../../src/domain/identity.ts';
import { describeEachEngine } from '../support/databases.ts';
import { applicant, createScenario, knownEmailProof, TestClock, testContext } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z');
const TOMORROW_9H = new Date('2026-06-02T07:00:00Z');

/** Settles all promises and returns the successes and the error codes. */
async function settleAll<T>(attempts: Promise<T>[]) {
  const results = await Promise.allSettled(attempts);
  const wins = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const codes = results.flatMap((r) =>
    r.status === 'rejected' ? [r.reason instanceof DomainError ? r.reason.code : String(r.reason)] : [],
  );
  return { wins, codes };
}

describeEachEngine('direct booking', (database, engine) => {
  const clock = new TestClock(NOW);
  beforeEach(() => clock.set(NOW));
  const ctx = () => testContext(database().db, clock);
  /** Online booking input with an email proof for the applicant's address. */
  const withProof = async (input: BookSlotInput): Promise<BookSlotInput> => ({
    ...input,
    emailProof: input.emailProof ?? (await knownEmailProof(ctx(), input.applicant.email)),
  });
  const book = async (input: BookSlotInput, idempotencyKey?: string) =>
    bookSlot(ctx(), await withProof(input), { idempotencyKey });
  const reschedule = async (confirmation: BookingConfirmation, slotId: string) =>
    rescheduleAppointment(ctx(), {
      managementToken: confirmation.managementToken,
      slotId,
      emailProof: await knownEmailProof(ctx(), confirmation.appointment.applicant.email!, 'reschedule'),
    });

  it('books a free slot and returns a reference and a strong management token', async () => {
    const s = await createScenario(database().db);
    const [slotId] = await s.addSlots(1, TOMORROW_9H);
    const person = applicant({ surname: '  Ndiaye ', nationality: 'sen', passportNumber: 'ab 123-456' });
    const { confirmation, replayed } = await book({ slotId: slotId!, applicant: person });
    assert.equal(replayed, false);
    assert.match(
      confirmation.appointment.reference,
      /^[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{2}$/,
    );
    assert.ok(Buffer.from(confirmation.managementToken, 'base64url').length >= 16);
    assert.equal(confirmation.appointment.startsAt, TOMORROW_9H.toISOString());
    assert.equal(confirmation.appointment.applicant.surname, 'Ndiaye');
    const row = await database()
      .db.selectFrom('appointment')
      .selectAll()
      .where('reference', '=', confirmation.appointment.reference)
      .executeTakeFirstOrThrow();
    assert.equal(row.passport_number, 'AB123456');
    assert.equal(row.nationality, 'SEN');
    assert.equal(row.birth_date, person.birthDate);
    assert.notEqual(row.management_token_hash, confirmation.managementToken);
    assert.doesNotMatch(row.identity_key, /AB123456/);
  });

  it("writes the appointment and its emails in the applicant's language, French unless asked; online unless an agent books", async () => {
    const s = await createScenario(database().db);
    const [french, english] = await s.addSlots(2, TOMORROW_9H);
    const booked = [
      await book({ slotId: french!, applicant: applicant() }),
      await book({ slotId: english!, applicant: applicant(), language: 'en' }),
    ];
    for (const [i, language] of ['fr', 'en'].entries()) {
      const { reference, applicant: person } = booked[i]!.confirmation.appointment;
      const row = await database()
        .db.selectFrom('appointment')
        .select(['language', 'channel'])
        .where('reference', '=', reference)
        .executeTakeFirstOrThrow();
      assert.deepEqual([row.language, row.channel], [language, 'online']);
      const mail = await database()
        .db.selectFrom('outbox')
        .select(['kind', 'language'])
        .where('recipient', '=', person.email!)
        .execute();
      assert.deepEqual(
        mail.map((m) => m.language),
        [language],
        JSON.stringify(mail),
      );
    }
  });

  it('spends the email code with the booking: the same proof books nothing more', async () => {
    const s = await createScenario(database().db);
    const [first, second] = await s.addSlots(2, TOMORROW_9H);
    const input = await withProof({ slotId: first!, applicant: applicant() });
    await book(input);
    const sameInbox = applicant({ email: input.applicant.email });
    await assert.rejects(book({ ...input, slotId: second!, applicant: sameInbox }), { code: 'EMAIL_CODE_INVALID' });
  });

  it('refuses a slot already held as SLOT_TAKEN before any write: the email code stays usable', async () => {
    // One counter: the two slots are at two times, so the taken one has no free twin.
    const s = await createScenario(database().db, { counters: 1 });
    const [taken, free] = await s.addSlots(2, TOMORROW_9H);
    assert.equal((await ctx().store.findSlot(taken!))?.held, false);
    await book({ slotId: taken!, applicant: applicant() });
    assert.equal((await ctx().store.findSlot(taken!))?.held, true);
    assert.equal((await ctx().store.findSlot(free!))?.held, false);
    const input = await withProof({ slotId: taken!, applicant: applicant() });
    await assert.rejects(book(input), { code: 'SLOT_TAKEN' });
    // The refusal spent nothing: the same proof books the free slot.
    const booked = await book({ ...input, slotId: free! });
    assert.equal(booked.confirmation.appointment.slotId, free);
  });

  it('a taken slot stands for its time: the next applicants get the other free counters, then SLOT_TAKEN', async () => {
    const s = await createScenario(database().db, { counters: 3 });
    const [asked, ...twins] = await s.addSlots(3, TOMORROW_9H);
    const first = await book({ slotId: asked!, applicant: applicant() });
    assert.equal(first.confirmation.appointment.slotId, asked, 'the asked counter, while free');
    assert.equal((await ctx().store.findSlot(asked!))?.held, false, 'two counters of that time are still free');
    const others = [
      await book({ slotId: asked!, applicant: applicant() }),
      await book({ slotId: asked!, applicant: applicant() }),
    ].map((b) => b.confirmation.appointment);
    assert.deepEqual(new Set(others.map((a) => a.slotId)), new Set(twins));
    for (const a of others) assert.equal(a.startsAt, TOMORROW_9H.toISOString());
    assert.equal((await ctx().store.findSlot(asked!))?.held, true);
    await assert.rejects(book({ slotId: asked!, applicant: applicant() }), { code: 'SLOT_TAKEN' });
  });

  it('never books in place of a taken slot one in the agents reserve, one a draw has not opened, or one of other times', async () => {
    const s = await createScenario(database().db, { counters: 4 });
    const [asked, reserved, awaitingDraw, longer] = await s.addSlots(4, TOMORROW_9H);
    const db = database().db;
    await db.updateTable('slot').set({ reserved_for_agents: true }).where('id', '=', reserved!).execute();
    await db.updateTable('slot').set({ opened_at: null }).where('id', '=', awaitingDraw!).execute();
    await db
      .updateTable('slot')
      .set({ ends_at: new Date(TOMORROW_9H.getTime() + 45 * 60_000) })
      .where('id', '=', longer!)
      .execute();
    await book({ slotId: asked!, applicant: applicant() });
    assert.equal((await ctx().store.findSlot(asked!))?.held, true);
    await assert.rejects(book({ slotId: asked!, applicant: applicant() }), { code: 'SLOT_TAKEN' });
    const held = await db
      .selectFrom('appointment')
      .select('slot_id')
      .where('status', '<>', 'cancelled')
      .where('procedure_id', '=', s.procedureId)
      .execute();
    assert.deepEqual(
      held.map((r) => r.slot_id),
      [asked],
    );
  });

  it('spreads 20 simultaneous applicants on one time over its 3 counters: one booking per counter, 17 SLOT_TAKEN', async () => {
    const s = await createScenario(database().db, { counters: 3 });
    const [asked, ...twins] = await s.addSlots(3, TOMORROW_9H);
    const { wins, codes } = await settleAll(
      Array.from({ length: 20 }, () => book({ slotId: asked!, applicant: applicant() })),
    );
    assert.deepEqual(new Set(wins.map((w) => w.confirmation.appointment.slotId)), new Set([asked, ...twins]));
    assert.equal(wins.length, 3);
    assert.deepEqual(new Set(codes), new Set(['SLOT_TAKEN']));
  });

  // PostgreSQL only: PGlite runs one transaction at a time, so an insert there never waits for another.
  if (engine === 'postgres')
    it('a race lost inside the insert is retried on the free twin in the same transaction', async () => {
      const s = await createScenario(database().db, { counters: 2 });
      const [asked, twin] = await s.addSlots(2, TOMORROW_9H);
      // The first booking inserts on `asked`, then holds its transaction open…
      let inserted!: () => void;
      let release!: () => void;
      const insertedYet = new Promise<void>((resolve) => {
        inserted = resolve;
      });
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      const first = bookSlot(ctx(), await withProof({ slotId: asked!, applicant: applicant() }), {
        alsoInTransaction: async () => {
          inserted();
          await released;
        },
      });
      await insertedYet;
      // …so the second one reads `asked` free, and its insert waits on the unique index.
      const second = book({ slotId: asked!, applicant: applicant() });
      const db = database().db;
      for (let waiting = 0, polls = 0; waiting === 0; polls++) {
        if (polls === 1000) throw new Error('the second insert never waited for the first');
        await new Promise((r) => setTimeout(r, 10));
        const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from pg_stat_activity
         where datname = current_database() and wait_event_type = 'Lock'`.execute(db);
        waiting = rows[0]!.n;
      }
      release();
      assert.equal((await first).confirmation.appointment.slotId, asked);
      assert.equal((await second).confirmation.appointment.slotId, twin);
    });

  it('gives one slot to exactly one of 20 simultaneous applicants', async () => {
    const s = await createScenario(database().db);
    const [slotId] = await s.addSlots(1, TOMORROW_9H);
    const { wins, codes } = await settleAll(
      Array.from({ length: 20 }, () => book({ slotId: slotId!, applicant: applicant() })),
    );
    assert.equal(wins.length, 1);
    assert.deepEqual(new Set(codes), new Set(['SLOT_TAKEN']));
    const live = await database()
      .db.selectFrom('appointment')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('slot_id', '=', slotId!)
      .executeTakeFirstOrThrow();
    assert.equal(live.n, 1);
  });

  it('lets one person hold only one active appointment per procedure, even in parallel', async () => {
    const s = await createScenario(database().db);
    const slots = await s.addSlots(6, TOMORROW_9H);
    const person = applicant();
    // The same passport typed differently, from different emails: still one person.
    const variants = slots.map((slotId, i) =>
      book({
        slotId,
        applicant: {
          ...person,
          email: `other${i}@example.net`,
          passportNumber: i % 2 ? person.passportNumber!.toLowerCase() : ` ${person.passportNumber} `,
        },
      }),
    );
    const { wins, codes } = await settleAll(variants);
    assert.equal(wins.length, 1);
    assert.deepEqual(new Set(codes), new Set(['ALREADY_BOOKED_FOR_PROCEDURE']));
  });

  it('caps active appointments per email (default 2), counting plus-addresses as one inbox', async () => {
    const db = database().db;
    const procedures = await Promise.all([1, 2, 3, 4, 5].map(() => createScenario(db)));
    const slotIds = await Promise.all(procedures.map(async (s) => (await s.addSlots(1, TOMORROW_9H))[0]!));
    const emails = [
      'Fatou.Sow@Example.org',
      'fatou.sow+a@example.org',
      'fatou.sow+b@example.org',
      'FATOU.SOW@example.org',
      'fatou.sow+c@example.org',
    ];
    const { wins, codes } = await settleAll(
      slotIds.map((slotId, i) => book({ slotId, applicant: applicant({ email: emails[i] }) })),
    );
    assert.equal(wins.length, 2);
    assert.deepEqual(codes, ['EMAIL_CAP_REACHED', 'EMAIL_CAP_REACHED', 'EMAIL_CAP_REACHED']);
    const quota = await db
      .selectFrom('email_quota')
      .selectAll()
      .where('email_key', '=', 'fatou.sow@example.org')
      .executeTakeFirstOrThrow();
    assert.equal(quota.active, 2);
  });

  it('replays an Idempotency-Key: 50 parallel identical requests make one booking', async () => {
    const s = await createScenario(database().db);
    const [slotId] = await s.addSlots(1, TOMORROW_9H);
    const input = await withProof({ slotId: slotId!, applicant: applicant() });
    const key = `idem-${Math.random().toString(36).slice(2)}`;
    const { wins, codes } = await settleAll(Array.from({ length: 50 }, () => book(input, key)));
    assert.deepEqual(codes, []);
    assert.equal(wins.length, 50);
    assert.equal(new Set(wins.map((w) => w.confirmation.appointment.reference)).size, 1);
    assert.equal(new Set(wins.map((w) => w.confirmation.managementToken)).size, 1);
    assert.equal(wins.filter((w) => !w.replayed).length, 1);
    const rows = await database().db.selectFrom('appointment').select('id').where('slot_id', '=', slotId!).execute();
    assert.equal(rows.length, 1);
    await assert.rejects(book({ ...input, applicant: { ...input.applicant, givenNames: 'Other' } }, key), {
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
  });

  it('replays a refusal under the same Idempotency-Key', async () => {
    const s = await createScenario(database().db);
    const [slotId] = await s.addSlots(1, TOMORROW_9H);
    await book({ slotId: slotId!, applicant: applicant() });
    const input = await withProof({ slotId: slotId!, applicant: applicant() });
    await assert.rejects(book(input, 'refused-key-1'), { code: 'SLOT_TAKEN' });
    await assert.rejects(book(input, 'refused-key-1'), { code: 'SLOT_TAKEN' });
  });

  it('purges idempotency records after 24 hours, not before', async () => {
    const s = await createScenario(database().db);
    const [slotId] = await s.addSlots(1, TOMORROW_9H);
    await book({ slotId: slotId!, applicant: applicant() }, 'purge-me-key');
    const exists = () =>
      database().db.selectFrom('idempotency_record').select('key').where('key', '=', 'purge-me-key').execute();
    clock.set(new Date(Date.now() + 23 * 3_600_000));
    await purgeIdempotencyRecords(ctx());
    assert.equal((await exists()).length, 1);
    clock.set(new Date(Date.now() + 25 * 3_600_000));
    assert.ok((await purgeIdempotencyRecords(ctx())) >= 1);
    assert.equal((await exists()).length, 0);
  });

  it('refuses slots not yet released, already started, or of an allocation-mode procedure', async () => {
    const db = database().db;
    const s = await createScenario(db);
    const [future] = await s.addSlots(1, TOMORROW_9H, { releasedAt: new Date('2026-06-01T09:00:00Z') });
    await assert.rejects(book({ slotId: future!, applicant: applicant() }), { code: 'SLOT_UNAVAILABLE' });
    clock.set('2026-06-01T09:00:00Z');
    await book({ slotId: future!, applicant: applicant() });
    const [past] = await s.addSlots(1, new Date('2026-06-01T07:00:00Z'));
    await assert.rejects(book({ slotId: past!, applicant: applicant() }), { code: 'SLOT_UNAVAILABLE' });
    // A released slot that no draw has left without a taker is not first come (migration 0012).
    const [awaitingDraw] = await s.addSlots(1, new Date(TOMORROW_9H.getTime() + 86_400_000), { drawFirst: true });
    await assert.rejects(book({ slotId: awaitingDraw!, applicant: applicant() }), { code: 'SLOT_UNAVAILABLE' });
    const postal = await createScenario(db, { procedure: { channel: 'postal' } });
    const [noAppointment] = await postal.addSlots(1, TOMORROW_9H);
    await assert.rejects(book({ slotId: noAppointment!, applicant: applicant() }), {
      code: 'PROCEDURE_NOT_BOOKABLE_DIRECTLY',
    });
    await assert.rejects(book({ slotId: '00000000-0000-4000-8000-000000000000', applicant: applicant() }), {
      code: 'SLOT_NOT_FOUND',
    });
  });

  it('asks for the identity proof the procedure requires', async () => {
    const s = await createScenario(database().db, { procedure: { identityProof: 'agdref' } });
    const [slotId] = await s.addSlots(1, TOMORROW_9H);
    await assert.rejects(book({ slotId: slotId!, applicant: applicant() }), { code: 'IDENTITY_PROOF_MISMATCH' });
    await assert.rejects(book({ slotId: slotId!, applicant: applicant({ agdrefNumber: '12345' }) }), {
      code: 'VALIDATION_FAILED',
    });
    const { confirmation } = await book({ slotId: slotId!, applicant: applicant({ agdrefNumber: '751 234 567' }) });
    const row = await database()
      .db.selectFrom('appointment')
      .select(['agdref_number', 'passport_number'])
      .where('reference', '=', confirmation.appointment.reference)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { agdref_number: '0751234567', passport_number: null });
  });

  it('cancelling frees the email quota and sends the slot to a draw, never straight back to first come', async () => {
    const db = database().db;
    const s = await createScenario(db);
    const [slotId, other] = await s.addSlots(2, TOMORROW_9H);
    const person = applicant();
    const { confirmation } = await book({ slotId: slotId!, applicant: person });
    const quotaOf = async () =>
      (
        await db
          .selectFrom('email_quota')
          .select('active')
          .where('email_key', '=', emailKey(person.email))
          .executeTakeFirstOrThrow()
      ).active;
    assert.equal(await quotaOf(), 1);
    await assert.rejects(cancelAppointment(ctx(), 'not-a-token'), { code: 'APPOINTMENT_NOT_FOUND' });
    const row = await db
      .selectFrom('appointment')
      .select('identity_key')
      .where('reference', '=', confirmation.appointment.reference)
      .executeTakeFirstOrThrow();
    const cancelled = await cancelAppointment(ctx(), confirmation.managementToken);
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(await quotaOf(), 0);
    await assert.rejects(cancelAppointment(ctx(), confirmation.managementToken), { code: 'APPOINTMENT_NOT_ACTIVE' });
    // The freed slot is closed to first-come booking (a cancel-and-rebook hand-off catches nothing)…
    const freed = await db
      .selectFrom('slot')
      .select(['opened_at', 'available_since'])
      .where('id', '=', slotId!)
      .executeTakeFirstOrThrow();
    assert.deepEqual([freed.opened_at, new Date(freed.available_since).toISOString()], [null, NOW.toISOString()]);
    await assert.rejects(book({ slotId: slotId!, applicant: person }), { code: 'SLOT_UNAVAILABLE' });
    await assert.rejects(book({ slotId: slotId!, applicant: applicant() }), { code: 'SLOT_UNAVAILABLE' });
    // …and counts once towards the cooling-off; the same person may book another open slot.
    const churn = await db
      .selectFrom('churn_event')
      .select(['kind', 'procedure_id'])
      .where('identity_key', '=', row.identity_key)
      .execute();
    assert.deepEqual(churn, [{ kind: 'cancellation', procedure_id: s.procedureId }]);
    const again = await book({ slotId: other!, applicant: person });
    assert.equal((await viewAppointment(ctx(), again.confirmation.managementToken)).status, 'booked');
  });

  it('reschedules within the limit, and two people cannot move onto one slot', async () => {
    const s = await createScenario(database().db);
    const slots = await s.addSlots(6, TOMORROW_9H);
    const a = await book({ slotId: slots[0]!, applicant: applicant() });
    const b = await book({ slotId: slots[1]!, applicant: applicant() });
    const { wins, codes } = await settleAll([
      reschedule(a.confirmation, slots[2]!),
      reschedule(b.confirmation, slots[2]!),
    ]);
    assert.equal(wins.length, 1);
    assert.deepEqual(codes, ['SLOT_TAKEN']);
    // Either may have won the race; each move counts, whichever it was (the limit is 2).
    const aWonTheRace = wins[0]!.reference === a.confirmation.appointment.reference;
    const moved = await reschedule(a.confirmation, slots[3]!);
    assert.equal(moved.slotId, slots[3]);
    assert.equal(moved.rescheduleCount, aWonTheRace ? 2 : 1);
    // Slot 0 was freed by the move: it goes to a draw, not to whoever books first.
    await assert.rejects(book({ slotId: slots[0]!, applicant: applicant() }), { code: 'SLOT_UNAVAILABLE' });
    if (!aWonTheRace) assert.equal((await reschedule(a.confirmation, slots[4]!)).rescheduleCount, 2);
    await assert.rejects(reschedule(a.confirmation, slots[5]!), { code: 'RESCHEDULE_LIMIT_REACHED' });
  });

  it('the database itself refuses a second live appointment on a slot, whatever code writes it', async () => {
    const db = database().db;
    const s = await createScenario(db);
    const [slotId] = await s.addSlots(1, TOMORROW_9H);
    const row = (n: number) => ({
      reference: `TEST-000${n}-XX`,
      slot_id: slotId!,
      procedure_id: s.procedureId,
      site_id: s.siteId,
      surname: 'X',
      given_names: 'Y',
      birth_date: '1990-01-01',
      nationality: 'FRA',
      email: `raw${n}@example.org`,
      email_key: `raw${n}@example.org`,
      passport_number: `RAW${n}0000`,
      identity_key: `raw-${n}`,
      management_token_hash: `raw-hash-${n}`,
    });
    await db.insertInto('appointment').values(row(1)).execute();
    await assert.rejects(
      db.insertInto('appointment').values(row(2)).execute(),
      (e: any) => e.constraint === 'appointment_one_per_slot',
    );
  });
});
