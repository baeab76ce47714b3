// The outbox is written in the transaction of what it announces: a booking, a cancellation,
// a reschedule, a filed request, an offer and its answer. A rolled-back transaction leaves
// no message; a committed one always has its messages.
import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import { createOutboxStore } from '../../src/adapters/db/outbox-store.ts';
import { createRequestStore } from '../../src/adapters/db/request-store.ts';
import { type BookSlotInput, bookSlot } from '../../src/app/booking/book-slot.ts';
import { cancelAppointment } from '../../src/app/booking/cancel-appointment.ts';
import { rescheduleAppointment } from '../../src/app/booking/reschedule-appointment.ts';
import { runDrawForTick } from '../../src/app/draws/run-draw.ts';
import { bookedNotifications } from '../../src/app/notifications/notifications.ts';
import { confirmOffer } from '../../src/app/offers/confirm-offer.ts';
import { declineOffer } from '../../src/app/offers/decline-offer.ts';
import { fileRequest } from '../../src/app/requests/file-request.ts';
import { requestContext } from '../../src/app/requests/request-context.ts';
import { DomainError } from '../../src/domain/errors.ts';
import {
  createAllocationScenario,
  fileRequest as fileRawRequest,
  testAllocationContext,
} from '../support/allocation.ts';
import { describeEachEngine } from '../support/databases.ts';
import { outboxRowsTo } from '../support/outbox.ts';
import { allocationScenario } from '../support/requests.ts';
import { applicant, createScenario, knownEmailProof, TestClock, testContext } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z'); // Monday, 10:00 in Paris
const IN_A_WEEK_9H = new Date('2026-06-08T07:00:00Z'); // Monday 8 June, 09:00 in Paris
const TOMORROW_9H = new Date('2026-06-02T07:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describeEachEngine('outbox: messages written with what they announce', (database) => {
  const clock = new TestClock(NOW);
  beforeEach(() => clock.set(NOW));
  const db = () => database().db;
  const ctx = () => testContext(db(), clock);
  const book = async (input: BookSlotInput) =>
    (
      await bookSlot(ctx(), {
        ...input,
        emailProof: input.emailProof ?? (await knownEmailProof(ctx(), input.applicant.email)),
      })
    ).confirmation;

  it('writes the confirmation (with the management token) and the reminder 48 h before, with the booking', async () => {
    const s = await createScenario(db());
    const [slotId] = await s.addSlots(1, IN_A_WEEK_9H);
    const person = applicant();
    const booked = await book({ slotId: slotId!, applicant: person, language: 'en' });

    const rows = await outboxRowsTo(db(), person.email);
    assert.deepEqual(
      rows.map((r) => [r.kind, r.status, r.language]),
      [
        ['appointment-booked', 'pending', 'en'],
        ['appointment-reminder', 'pending', 'en'],
      ],
    );
    const [confirmation, reminder] = rows;
    assert.equal(confirmation!.deliver_after.toISOString(), NOW.toISOString());
    assert.equal(reminder!.deliver_after.toISOString(), new Date(IN_A_WEEK_9H.getTime() - 48 * HOUR).toISOString());
    assert.equal((confirmation!.payload as { managementToken?: string }).managementToken, booked.managementToken);
    assert.equal(
      (reminder!.payload as { managementToken?: string }).managementToken,
      undefined,
      'only the first message carries the token',
    );
    const appointment = (confirmation!.payload as { appointment: Record<string, unknown> }).appointment;
    assert.equal(appointment.reference, booked.appointment.reference);
    assert.equal(appointment.startsAt, IN_A_WEEK_9H.toISOString());
    assert.equal(appointment.timeZone, 'Europe/Paris');
    assert.equal(appointment.siteAddress, '1 rue de la Préfecture');
    assert.deepEqual(appointment.procedureName, { fr: 'Renouvellement', en: 'Renewal' });
    const stored = await db()
      .selectFrom('appointment')
      .select('language')
      .where('reference', '=', booked.appointment.reference)
      .executeTakeFirstOrThrow();
    assert.equal(stored.language, 'en');
  });

  it('writes no reminder for an appointment less than two days ahead, and French by default', async () => {
    const s = await createScenario(db());
    const [slotId] = await s.addSlots(1, TOMORROW_9H);
    const person = applicant();
    await book({ slotId: slotId!, applicant: person });
    const rows = await outboxRowsTo(db(), person.email);
    assert.deepEqual(
      rows.map((r) => [r.kind, r.language]),
      [['appointment-booked', 'fr']],
    );
  });

  it('writes nothing for a refused booking (slot taken), and nothing when the transaction rolls back after writing', async () => {
    const s = await createScenario(db());
    const [slotId] = await s.addSlots(1, IN_A_WEEK_9H);
    await book({ slotId: slotId!, applicant: applicant() });
    const loser = applicant();
    await assert.rejects(
      book({ slotId: slotId!, applicant: loser }),
      (e) => e instanceof DomainError && e.code === 'SLOT_TAKEN',
    );
    assert.equal((await outboxRowsTo(db(), loser.email)).length, 0);

    // The very statements of a booking, then a failure before the commit: neither the
    // appointment nor its messages remain.
    const [otherSlot] = await s.addSlots(1, new Date(IN_A_WEEK_9H.getTime() + DAY));
    const late = applicant();
    const hasher = ctx().hasher;
    await assert.rejects(
      ctx().store.transaction(async (tx) => {
        const inserted = await tx.insertAppointment(
          {
            reference: 'K7M4-9XQ2-HT',
            slotId: otherSlot!,
            procedureId: s.procedureId,
            surname: late.surname,
            givenNames: late.givenNames,
            birthDate: late.birthDate,
            nationality: late.nationality,
            email: late.email,
            emailKey: late.email.toLowerCase(),
            agdrefNumber: null,
            passportNumber: late.passportNumber!,
            identityKey: hasher.identityKey(late.passportNumber!),
            managementTokenHash: hasher.tokenDigest('t'),
            channel: 'online',
            language: 'fr',
          },
          NOW,
        );
        await tx.enqueueMessages(bookedNotifications(inserted!, 't', NOW), NOW);
        throw new Error('the process dies before the commit');
      }),
      /dies/,
    );
    assert.equal((await outboxRowsTo(db(), late.email)).length, 0);
    assert.equal(
      (await db().selectFrom('appointment').select('id').where('email', '=', late.email).execute()).length,
      0,
    );
  });

  it('of two bookings racing on one email code, only the one that commits has messages', async () => {
    const s = await createScenario(db());
    const slots = await s.addSlots(2, IN_A_WEEK_9H);
    const email = applicant().email;
    const proof = await knownEmailProof(ctx(), email);
    const results = await Promise.allSettled(
      slots.map((slotId) => book({ slotId, applicant: applicant({ email }), emailProof: proof })),
    );
    assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    const rows = await outboxRowsTo(db(), email);
    assert.deepEqual(
      rows.map((r) => r.kind),
      ['appointment-booked', 'appointment-reminder'],
    );
    const winner = results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<
      Awaited<ReturnType<typeof book>>
    >;
    assert.equal(
      (rows[0]!.payload as { appointment: { reference: string } }).appointment.reference,
      winner.value.appointment.reference,
    );
  });

  it('a cancellation writes its message and cancels the pending reminder', async () => {
    const s = await createScenario(db());
    const [slotId] = await s.addSlots(1, IN_A_WEEK_9H);
    const person = applicant();
    const booked = await book({ slotId: slotId!, applicant: person });
    clock.set(new Date(NOW.getTime() + HOUR));
    await cancelAppointment(ctx(), booked.managementToken);

    const rows = await outboxRowsTo(db(), person.email);
    assert.deepEqual(
      rows.map((r) => [r.kind, r.status]),
      [
        ['appointment-booked', 'pending'],
        ['appointment-reminder', 'cancelled'],
        ['appointment-cancelled', 'pending'],
      ],
    );
    const cancellation = rows[2]!;
    assert.equal(cancellation.deliver_after.toISOString(), new Date(NOW.getTime() + HOUR).toISOString());
    assert.equal(
      (cancellation.payload as { appointment: { reference: string } }).appointment.reference,
      booked.appointment.reference,
    );
  });

  it('a reschedule replaces the reminder and writes the new time, with a higher calendar sequence', async () => {
    const s = await createScenario(db());
    const [first] = await s.addSlots(1, IN_A_WEEK_9H);
    const later = await s.addSlots(1, new Date(IN_A_WEEK_9H.getTime() + 2 * DAY));
    const person = applicant();
    const booked = await book({ slotId: first!, applicant: person });
    await rescheduleAppointment(ctx(), {
      managementToken: booked.managementToken,
      slotId: later[0]!,
      emailProof: await knownEmailProof(ctx(), person.email, 'reschedule'),
    });

    const rows = await outboxRowsTo(db(), person.email);
    const byKey = new Map(rows.map((r) => [r.dedupe_key, r]));
    const appointmentId = (rows[0]!.payload as { appointment: { appointmentId: string } }).appointment.appointmentId;
    assert.equal(byKey.get(`appointment-reminder:${appointmentId}:0`)?.status, 'cancelled');
    const newReminder = byKey.get(`appointment-reminder:${appointmentId}:1`);
    assert.equal(newReminder?.status, 'pending');
    assert.equal(
      newReminder?.deliver_after.toISOString(),
      new Date(IN_A_WEEK_9H.getTime() + 2 * DAY - 48 * HOUR).toISOString(),
    );
    const moved = byKey.get(`appointment-rescheduled:${appointmentId}:1`);
    assert.equal(moved?.status, 'pending');
    const payload = moved!.payload as { appointment: { startsAt: string; sequence: number }; previousStartsAt: string };
    assert.deepEqual(
      [payload.appointment.startsAt, payload.appointment.sequence, payload.previousStartsAt],
      [new Date(IN_A_WEEK_9H.getTime() + 2 * DAY).toISOString(), 1, IN_A_WEEK_9H.toISOString()],
    );
    assert.equal(
      rows.filter((r) => r.status === 'pending' && r.kind === 'appointment-reminder').length,
      1,
      'one live reminder',
    );
  });

  it('filing a request writes its acknowledgement with the management token, in the chosen language', async () => {
    const s = await allocationScenario(db());
    const person = applicant();
    const requests = requestContext(ctx(), createRequestStore(db()));
    const { confirmation } = await fileRequest(requests, {
      prefectureId: s.prefectureId,
      procedureId: s.procedureId,
      preferences: { siteIds: [s.siteId], weekdays: [1, 2, 3, 4, 5], halfDays: ['am', 'pm'] },
      applicant: person,
      emailProof: await knownEmailProof(ctx(), person.email, 'request'),
      language: 'en',
    });
    const rows = await outboxRowsTo(db(), person.email);
    assert.deepEqual(
      rows.map((r) => [r.kind, r.language]),
      [['request-filed', 'en']],
    );
    const payload = rows[0]!.payload as { requestReference: string; managementToken: string; prefectureName: string };
    assert.deepEqual(
      [payload.requestReference, payload.managementToken, payload.prefectureName],
      [confirmation.request.reference, confirmation.managementToken, 'Préfecture 93'],
    );
  });

  it('a draw writes one offer email per pending offer; confirming writes the confirmation and the reminder; a closing decline writes the closure', async () => {
    const s = await createAllocationScenario(db(), { allocation: { maxIgnoredOffers: 1 } });
    await s.addSlots(2, IN_A_WEEK_9H);
    const hasher = ctx().hasher;
    const confirming = await fileRawRequest(db(), hasher, s);
    const declining = await fileRawRequest(db(), hasher, s);
    await db().updateTable('allocation_request').set({ language: 'en' }).where('id', '=', confirming.id).execute();
    // It has used both its declines already: declining this offer closes the request (max_declines = 2).
    await db().updateTable('allocation_request').set({ declined_count: 2 }).where('id', '=', declining.id).execute();
    const allocation = testAllocationContext(db(), clock);
    const report = await runDrawForTick(allocation, {
      prefectureId: s.prefectureId,
      procedureId: s.procedureId,
      tick: NOW,
      trigger: 'manual',
    });
    assert.equal(report.status === 'drawn' && report.messagesQueued, 2);
    for (const [request, declinesLeft] of [
      [confirming, 2],
      [declining, 0],
    ] as const) {
      const rows = await outboxRowsTo(db(), request.email);
      assert.deepEqual(
        rows.map((r) => r.kind),
        ['offer-made'],
      );
      const offer = rows[0]!.payload as { expiresAt: string; declinesLeft: number; ignoredLeft: number };
      assert.equal(offer.expiresAt, new Date(NOW.getTime() + 48 * HOUR).toISOString());
      assert.deepEqual([offer.declinesLeft, offer.ignoredLeft], [declinesLeft, 0]);
    }
    assert.equal((await outboxRowsTo(db(), confirming.email))[0]!.language, 'en');

    clock.set(new Date(NOW.getTime() + HOUR));
    const { appointment } = await confirmOffer(allocation, confirming.token);
    const confirmed = await outboxRowsTo(db(), confirming.email);
    assert.deepEqual(
      confirmed.map((r) => [r.kind, r.language]),
      [
        ['offer-made', 'en'],
        ['offer-confirmed', 'en'],
        ['appointment-reminder', 'en'],
      ],
    );
    assert.equal(
      (confirmed[1]!.payload as { appointment: { reference: string } }).appointment.reference,
      appointment.reference,
    );
    const booked = await db()
      .selectFrom('appointment')
      .select('language')
      .where('reference', '=', appointment.reference)
      .executeTakeFirstOrThrow();
    assert.equal(booked.language, 'en', "the appointment keeps the request's language");

    await declineOffer(allocation, declining.token);
    const closing = await outboxRowsTo(db(), declining.email);
    assert.deepEqual(
      closing.map((r) => r.kind),
      ['offer-made', 'request-closed'],
    );
    assert.equal((closing[1]!.payload as { maxIgnoredOffers: number }).maxIgnoredOffers, 1);
  });

  it("tells this process's workers after a commit that wrote messages, not after a rollback", async () => {
    const store = createOutboxStore(db());
    let heard = 0;
    const unsubscribe = store.onCommitted(() => heard++);
    try {
      const s = await createScenario(db());
      const [slotId, taken] = await s.addSlots(2, IN_A_WEEK_9H);
      await book({ slotId: slotId!, applicant: applicant() });
      assert.equal(heard, 1);
      await book({ slotId: taken!, applicant: applicant() });
      assert.equal(heard, 2);
      await assert.rejects(book({ slotId: taken!, applicant: applicant() }));
      assert.equal(heard, 2, 'a refused booking wrote nothing');
    } finally {
      unsubscribe();
    }
  });
});
