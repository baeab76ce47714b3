import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { beforeEach, it } from 'node:test';
import { sql } from 'kysely';
import { PDFDocument } from 'pdf-lib';
import { createBookingStore } from '../../src/adapters/db/booking-store.ts';
import type { Db } from '../../src/adapters/db/database.ts';
import { createRequestStore } from '../../src/adapters/db/request-store.ts';
import { createEd25519Signer, signerFromConfig } from '../../src/adapters/ed25519-signer.ts';
import { insertRegistryResidents } from '../../src/adapters/registry/db-registry.ts';
import { bookSlot } from '../../src/app/booking/book-slot.ts';
import { changeRequestPreferences } from '../../src/app/requests/change-request-preferences.ts';
import { type FileRequestInput, fileRequest } from '../../src/app/requests/file-request.ts';
import { attestationOfManagementToken, signAttestation } from '../../src/app/requests/issue-attestation.ts';
import { requestContext } from '../../src/app/requests/request-context.ts';
import { verifyAttestation } from '../../src/app/requests/verify-attestation.ts';
import { viewRequest } from '../../src/app/requests/view-request.ts';
import { withdrawRequest } from '../../src/app/requests/withdraw-request.ts';
import {
  encodeAttestationPayload,
  formatAttestationToken,
  parseAttestationToken,
} from '../../src/domain/attestation.ts';
import { signedMessage } from '../../src/domain/convocation.ts';
import { DomainError } from '../../src/domain/errors.ts';
import type { ApplicantIdentity } from '../../src/domain/identity.ts';
import { renderAttestationHtml } from '../../src/http/views/attestation-html.ts';
import { renderAttestationPdf } from '../../src/http/views/attestation-pdf.ts';
import { describeEachEngine } from '../support/databases.ts';
import { type AllocationScenario, allocationScenario, openCounters } from '../support/requests.ts';
import {
  applicant,
  createScenario,
  knownEmailProof,
  TEST_IDENTITY_SECRET,
  TestClock,
  testContext,
} from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z'); // Monday 1 June 2026, 10:00 in Paris
const DAY = 86_400_000;
const ALL_WEEK = { weekdays: [1, 2, 3, 4, 5], halfDays: ['am', 'pm'] };
const signer = signerFromConfig({ convocationSigningKey: null, identityKeySecret: TEST_IDENTITY_SECRET });

async function settleAll<T>(attempts: Promise<T>[]) {
  const results = await Promise.allSettled(attempts);
  const wins = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const codes = results.flatMap((r) =>
    r.status === 'rejected' ? [r.reason instanceof DomainError ? r.reason.code : String(r.reason)] : [],
  );
  return { wins, codes };
}

type Scenario = AllocationScenario;

/** A draw of the queue that finished `daysAgo` days ago, with offers of the given statuses. */
async function pastDraw(
  db: Db,
  s: Scenario,
  daysAgo: number,
  offers: { status: 'pending' | 'confirmed' | 'declined' | 'expired'; requestId: string; slotId: string }[],
) {
  const at = new Date(NOW.getTime() - daysAgo * DAY);
  const draw = await db
    .insertInto('draw')
    .values({
      prefecture_id: s.prefectureId,
      procedure_id: s.procedureId,
      tick: at,
      trigger: 'daily',
      allocation_order: 'lottery',
      seed: 'test',
      input_digest: 'x',
      result_digest: 'y',
      input_snapshot: new Uint8Array([1]),
      requests_count: offers.length,
      slots_count: offers.length,
      assigned_count: offers.length,
      started_at: at,
      finished_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const o of offers) {
    await db
      .insertInto('offer')
      .values({
        draw_id: draw.id,
        request_id: o.requestId,
        slot_id: o.slotId,
        status: o.status,
        expires_at: new Date(at.getTime() + 2 * DAY),
        created_at: at,
      })
      .execute();
  }
  return draw.id;
}

describeEachEngine('appointment requests', (database) => {
  const clock = new TestClock(NOW);
  beforeEach(() => clock.set(NOW));
  const ctx = () => requestContext(testContext(database().db, clock), createRequestStore(database().db));
  const input = async (
    s: Scenario,
    person: ApplicantIdentity,
    extra: Partial<FileRequestInput> = {},
  ): Promise<FileRequestInput> => ({
    prefectureId: s.prefectureId,
    procedureId: s.procedureId,
    preferences: { siteIds: [s.siteId], ...ALL_WEEK },
    applicant: person,
    emailProof: await knownEmailProof(ctx(), person.email, 'request'),
    ...extra,
  });
  const file = async (
    s: Scenario,
    person: ApplicantIdentity,
    extra: Partial<FileRequestInput> = {},
    idempotencyKey?: string,
  ) => fileRequest(ctx(), await input(s, person, extra), { idempotencyKey });

  it('files a request after the email code and the registry check, with its reference, position and an honest estimate', async () => {
    const db = database().db;
    const s = await allocationScenario(db, { identityProof: 'agdref', registryCheck: true, urgentWithinDays: 120 });
    await db
      .updateTable('procedure')
      .set({ renewal_window_start_months: 4, renewal_window_end_months: 2 })
      .where('id', '=', s.procedureId)
      .execute();
    await insertRegistryResidents(db, [
      {
        agdrefNumber: '7710000001',
        surname: 'KEÏTA',
        givenNames: 'Moussa',
        birthDate: '1985-03-02',
        nationality: 'MLI',
        permitType: 'carte de séjour temporaire',
        permitExpiresOn: '2026-09-01',
      },
    ]);
    const person = applicant({
      surname: 'Keita',
      givenNames: 'Moussa',
      birthDate: '1985-03-02',
      nationality: 'MLI',
      agdrefNumber: '771 000 0001',
      passportNumber: undefined,
    });
    const proof = await knownEmailProof(ctx(), person.email, 'request');

    // A wrong identity is refused by the registry, and leaves the email code usable.
    await assert.rejects(
      fileRequest(ctx(), { ...(await input(s, { ...person, birthDate: '1985-03-03' })), emailProof: proof }),
      { code: 'IDENTITY_NOT_VERIFIED' },
    );
    // A code sent for booking does not file a request.
    await assert.rejects(
      fileRequest(ctx(), {
        ...(await input(s, person)),
        emailProof: await knownEmailProof(ctx(), person.email, 'booking'),
      }),
      { code: 'EMAIL_CODE_INVALID' },
    );

    const { confirmation, replayed } = await fileRequest(ctx(), { ...(await input(s, person)), emailProof: proof });
    assert.equal(replayed, false);
    const { request, managementToken } = confirmation;
    assert.match(request.reference, /^[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{2}$/);
    assert.ok(Buffer.from(managementToken, 'base64url').length >= 16);
    assert.equal(request.status, 'waiting');
    assert.equal(request.filedAt, NOW.toISOString());
    // No urgency declared: the registry's permit expiry (in 92 days, within 120), a fact, makes it class 1 at once.
    assert.equal(request.urgencyDate, '2026-09-01');
    assert.deepEqual(request.urgency, { source: 'registry', status: 'confirmed' });
    assert.equal(request.priorityClass, 1);
    assert.equal(request.queuedOn, '2026-06-01');
    assert.deepEqual(
      {
        earlier: request.standing?.earlierInClass,
        sameBatch: request.standing?.sameBatch,
        ahead: request.standing?.aheadOverall,
        wait: request.standing?.estimatedWaitDays,
      },
      { earlier: 0, sameBatch: 0, ahead: 0, wait: 'unknown' },
    );
    const row = await db
      .selectFrom('allocation_request')
      .selectAll()
      .where('reference', '=', request.reference)
      .executeTakeFirstOrThrow();
    assert.equal(row.agdref_number, '7710000001');
    assert.notEqual(row.management_token_hash, managementToken);
    assert.deepEqual(
      [row.site_ids, row.weekdays.map(Number), row.half_days],
      [[s.siteId], [1, 2, 3, 4, 5], ['am', 'pm']],
    );
    // The code was spent with the request.
    await assert.rejects(fileRequest(ctx(), { ...(await input(s, applicant())), emailProof: proof }), {
      code: 'EMAIL_CODE_INVALID',
    });
    assert.equal((await viewRequest(ctx(), managementToken)).reference, request.reference);
    await assert.rejects(viewRequest(ctx(), 'not-a-token-at-all'), { code: 'REQUEST_NOT_FOUND' });
  });

  it('keeps one live request per person and procedure: of 12 parallel filings one wins, whatever the email or spelling', async () => {
    const s = await allocationScenario(database().db);
    const person = applicant();
    const variants = Array.from({ length: 12 }, (_, i) =>
      file(s, {
        ...person,
        email: `same.person.${i}@example.net`,
        passportNumber: i % 2 ? person.passportNumber!.toLowerCase() : ` ${person.passportNumber} `,
      }),
    );
    const { wins, codes } = await settleAll(variants);
    assert.equal(wins.length, 1);
    assert.deepEqual(new Set(codes), new Set(['ALREADY_REQUESTED_FOR_PROCEDURE']));
    const live = await database()
      .db.selectFrom('allocation_request')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('procedure_id', '=', s.procedureId)
      .executeTakeFirstOrThrow();
    assert.equal(live.n, 1);
  });

  it('replays an Idempotency-Key: 20 parallel identical filings make one request', async () => {
    const s = await allocationScenario(database().db);
    const request = await input(s, applicant());
    const key = `file-${Math.random().toString(36).slice(2)}`;
    const { wins, codes } = await settleAll(
      Array.from({ length: 20 }, () => fileRequest(ctx(), request, { idempotencyKey: key })),
    );
    assert.deepEqual(codes, []);
    assert.equal(new Set(wins.map((w) => w.confirmation.request.reference)).size, 1);
    assert.equal(new Set(wins.map((w) => w.confirmation.managementToken)).size, 1);
    assert.equal(wins.filter((w) => !w.replayed).length, 1);
    await assert.rejects(fileRequest(ctx(), { ...request, urgencyDate: '2026-06-10' }, { idempotencyKey: key }), {
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
  });

  it('every appointment procedure takes requests; postal and online ones, and unknown ones, do not', async () => {
    const db = database().db;
    const plain = await createScenario(db);
    await openCounters(db, plain.counterIds, plain.procedureId);
    assert.equal((await file(plain as Scenario, applicant())).confirmation.request.status, 'waiting');
    for (const channel of ['postal', 'online'] as const) {
      const other = await createScenario(db, { procedure: { channel } });
      await openCounters(db, other.counterIds, other.procedureId);
      await assert.rejects(
        file(other as Scenario, applicant()),
        (e: any) => e.code === 'PROCEDURE_NOT_REQUESTABLE' && e.details.channel === channel,
      );
    }
    const s = await allocationScenario(db);
    await assert.rejects(file(s, applicant(), { procedureId: 'no-such-procedure' }), { code: 'PROCEDURE_NOT_FOUND' });
    await assert.rejects(file(s, applicant(), { prefectureId: '01' }), { code: 'PREFECTURE_NOT_FOUND' });
    // A slot awaiting its draw is never booked first come, first served; one a draw opened is.
    const [awaiting] = await s.addSlots(1, new Date(NOW.getTime() + DAY), { drawFirst: true });
    const [opened] = await s.addSlots(1, new Date(NOW.getTime() + 2 * DAY));
    const person = applicant();
    await assert.rejects(
      bookSlot(ctx(), { slotId: awaiting!, applicant: person, emailProof: await knownEmailProof(ctx(), person.email) }),
      { code: 'SLOT_UNAVAILABLE' },
    );
    const booked = await bookSlot(ctx(), {
      slotId: opened!,
      applicant: person,
      emailProof: await knownEmailProof(ctx(), person.email),
    });
    assert.equal(booked.confirmation.appointment.status, 'booked');
  });

  it('checks preferences against the sites of the prefecture that receive the procedure', async () => {
    const db = database().db;
    const s = await allocationScenario(db);
    const elsewhere = await createScenario(db, { prefectureId: '973', timeZone: 'America/Cayenne' });
    const idle = await createScenario(db); // a site of 93 without this procedure
    const prefs = (siteIds: string[], weekdays = [1, 2, 3, 4, 5]) => ({
      preferences: { siteIds, weekdays, halfDays: ['am'] },
    });
    await assert.rejects(file(s, applicant(), prefs([elsewhere.siteId])), { code: 'SITE_NOT_FOUND' });
    await assert.rejects(file(s, applicant(), prefs([idle.siteId])), { code: 'VALIDATION_FAILED' });
    await assert.rejects(
      file(s, applicant(), prefs([s.siteId], [6, 7])),
      (e: any) => e.code === 'VALIDATION_FAILED' && /weekdays/.test(e.details.errors[0].path),
    );
    await assert.rejects(file(s, applicant(), { urgencyDate: '2026-02-30' }), { code: 'VALIDATION_FAILED' });
    await assert.rejects(file(s, applicant({ passportNumber: undefined, agdrefNumber: '7512345678' })), {
      code: 'IDENTITY_PROOF_MISMATCH',
    });
  });

  it('a person has a live request or an active appointment for a procedure, never both', async () => {
    const db = database().db;
    const s = await allocationScenario(db);
    const [slotA, slotB] = await s.addSlots(2, new Date(NOW.getTime() + DAY)); // opened by a draw that found nobody waiting
    const booked = applicant();
    await bookSlot(ctx(), {
      slotId: slotA!,
      applicant: booked,
      emailProof: await knownEmailProof(ctx(), booked.email),
    });
    // The person with an appointment cannot also queue, whatever the email.
    await assert.rejects(file(s, { ...booked, email: 'other.inbox@example.org' }), {
      code: 'ALREADY_BOOKED_FOR_PROCEDURE',
    });
    const queued = applicant();
    await file(s, queued);
    // The person waiting in the queue cannot also book an open slot.
    await assert.rejects(
      bookSlot(ctx(), { slotId: slotB!, applicant: queued, emailProof: await knownEmailProof(ctx(), queued.email) }),
      { code: 'ALREADY_REQUESTED_FOR_PROCEDURE' },
    );
  });

  it('the database decides between a request and an appointment written at the same time, whatever code writes them', async () => {
    const db = database().db;
    const s = await allocationScenario(db);
    const slots = await s.addSlots(5, new Date(NOW.getTime() + DAY));
    for (const [i, slotId] of slots.entries()) {
      const identityKey = `race-identity-${i}-${Math.random()}`;
      const person = {
        surname: 'X',
        given_names: 'Y',
        birth_date: '1990-01-01',
        nationality: 'FRA',
        passport_number: `RACE${i}0000`,
        identity_key: identityKey,
      };
      const appointment = db.transaction().execute(async (trx) => {
        await trx
          .insertInto('appointment')
          .values({
            ...person,
            reference: `RACE-000${i}-AA`,
            slot_id: slotId,
            procedure_id: s.procedureId,
            site_id: s.siteId,
            email: `race-a${i}@example.org`,
            email_key: `race-a${i}@example.org`,
            management_token_hash: `race-a-${identityKey}`,
          })
          .execute();
        await sql`select pg_sleep(0.05)`.execute(trx);
      });
      const request = db.transaction().execute(async (trx) => {
        await trx
          .insertInto('allocation_request')
          .values({
            ...person,
            reference: `RACE-000${i}-RR`,
            prefecture_id: s.prefectureId,
            procedure_id: s.procedureId,
            site_ids: sql<string[]>`cast(${`{${s.siteId}}`} as text[])`,
            email: `race-r${i}@example.org`,
            email_key: `race-r${i}@example.org`,
            management_token_hash: `race-r-${identityKey}`,
          })
          .execute();
        await sql`select pg_sleep(0.05)`.execute(trx);
      });
      const results = await Promise.allSettled(i % 2 ? [appointment, request] : [request, appointment]);
      const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      assert.equal(refused.length, 1, `identity ${i}: exactly one of the two is refused`);
      assert.ok(
        ['appointment_no_waiting_request', 'allocation_request_no_active_appointment'].includes(
          refused[0]!.reason.constraint,
        ),
        refused[0]!.reason.message,
      );
    }
  });

  it('tells who is surely ahead (more urgent classes, earlier batches) and half of the same batch, and the wait from the last 28 days of draws', async () => {
    const db = database().db;
    const s = await allocationScenario(db, { urgentWithinDays: 30 });
    const at = (minutes: number) => clock.set(new Date(NOW.getTime() + minutes * 60_000));
    at(0);
    const a = await file(s, applicant()); // class 2
    at(1);
    const b = await file(s, applicant(), { urgencyDate: '2026-05-20' }); // declared expired: class 0 once confirmed
    at(2);
    const c = await file(s, applicant(), { urgencyDate: '2026-06-20' }); // declared within 30 days: class 1 once confirmed
    at(3);
    const d = await file(s, applicant(), { urgencyDate: '2027-01-01' }); // class 2
    clock.set(NOW);
    const standing = async (filed: typeof a) => {
      const view = await viewRequest(ctx(), filed.confirmation.managementToken);
      const st = view.standing;
      return {
        cls: view.priorityClass,
        size: st?.classSize,
        earlier: st?.earlierInClass,
        same: st?.sameBatch,
        ahead: st?.aheadOverall,
        total: st?.waitingTotal,
        wait: st?.estimatedWaitDays,
      };
    };
    // Declared urgencies wait for an agent: for now everybody is class 2, in one batch.
    assert.deepEqual((await viewRequest(ctx(), b.confirmation.managementToken)).urgency, {
      source: 'declared',
      status: 'pending',
    });
    assert.deepEqual(await standing(d), { cls: 2, size: 4, earlier: 0, same: 3, ahead: 1, total: 4, wait: 'unknown' });
    // An agent confirms b and c (the review queue's conditional UPDATE, simulated), and a was queued on an earlier day.
    const referenceOf = (filed: typeof a) => filed.confirmation.request.reference;
    await db
      .updateTable('allocation_request')
      .set({ urgency_status: 'confirmed' })
      .where('reference', 'in', [referenceOf(b), referenceOf(c)])
      .execute();
    await db
      .updateTable('allocation_request')
      .set({ queued_on: '2026-05-28' })
      .where('reference', '=', referenceOf(a))
      .execute();
    assert.deepEqual(await standing(d), { cls: 2, size: 2, earlier: 1, same: 0, ahead: 3, total: 4, wait: 'unknown' });
    assert.deepEqual([(await standing(b)).cls, (await standing(c)).cls], [0, 1]);

    // Draws served 12 slots over the last 28 days (10 confirmed, 2 pending; declined and
    // expired offers do not count), and many more 40 days ago, which do not count either.
    const filler = await allocationScenario(db);
    const fillerRequests = await Promise.all(
      [1, 2, 3].map(async () => (await file(filler, applicant())).confirmation.request.reference),
    );
    const fillerIds = (
      await db.selectFrom('allocation_request').select('id').where('reference', 'in', fillerRequests).execute()
    ).map((r) => r.id);
    const fillerSlots = await filler.addSlots(3, new Date(NOW.getTime() + 5 * DAY));
    const confirmed = (n: number) =>
      Array.from({ length: n }, () => ({
        status: 'confirmed' as const,
        requestId: fillerIds[0]!,
        slotId: fillerSlots[0]!,
      }));
    await pastDraw(db, s, 10, [
      ...confirmed(10),
      { status: 'declined', requestId: fillerIds[0]!, slotId: fillerSlots[0]! },
      { status: 'expired', requestId: fillerIds[0]!, slotId: fillerSlots[0]! },
    ]);
    await pastDraw(db, s, 3, [
      { status: 'pending', requestId: fillerIds[1]!, slotId: fillerSlots[1]! },
      { status: 'pending', requestId: fillerIds[2]!, slotId: fillerSlots[2]! },
    ]);
    await pastDraw(db, s, 40, confirmed(100));
    const paced = await viewRequest(ctx(), d.confirmation.managementToken);
    // 12 slots / 28 days = 0.43 a day; 4th to be served → ceil(4 / (12/28)) = 10 days.
    assert.deepEqual(paced.standing?.capacity, { windowDays: 28, slotsServed: 12, perDay: 0.43 });
    assert.equal(paced.standing?.estimatedWaitDays, 10);
  });

  it("counts nobody of a later batch in a request's own batch", async () => {
    const db = database().db;
    const s = await allocationScenario(db);
    const first = await file(s, applicant());
    for (let i = 0; i < 3; i++) await file(s, applicant());
    await db
      .updateTable('allocation_request')
      .set({ queued_on: '2026-05-28' })
      .where('reference', '=', first.confirmation.request.reference)
      .execute();
    const view = await viewRequest(ctx(), first.confirmation.managementToken);
    // Queued three days before the others: it is drawn before all of them.
    assert.deepEqual(
      [view.standing?.classSize, view.standing?.earlierInClass, view.standing?.sameBatch, view.standing?.aheadOverall],
      [4, 0, 0, 0],
    );
  });

  it('changes preferences and the expiry date without losing the place in the queue', async () => {
    const db = database().db;
    const s = await allocationScenario(db);
    const first = await file(s, applicant());
    clock.set(new Date(NOW.getTime() + 60_000));
    await file(s, applicant());
    clock.set(new Date(NOW.getTime() + 3 * DAY));
    const token = first.confirmation.managementToken;
    const changed = await changeRequestPreferences(ctx(), {
      managementToken: token,
      preferences: { siteIds: [s.siteId], weekdays: [3, 1], halfDays: ['pm'] },
    });
    assert.deepEqual(changed.preferences, { siteIds: [s.siteId], weekdays: [1, 3], halfDays: ['pm'] });
    assert.equal(changed.filedAt, NOW.toISOString());
    assert.equal(changed.updatedAt, new Date(NOW.getTime() + 3 * DAY).toISOString());
    // The batch stays: the day it was filed, three days ago.
    assert.deepEqual(
      [changed.queuedOn, changed.standing?.earlierInClass, changed.standing?.sameBatch],
      ['2026-06-01', 0, 1],
    );
    // A récépissé expiring next week: declared, it gives no priority until an agent confirms it.
    const urgent = await changeRequestPreferences(ctx(), {
      managementToken: token,
      preferences: { siteIds: [s.siteId], ...ALL_WEEK },
      urgencyDate: '2026-06-10',
    });
    assert.deepEqual(
      [urgent.urgencyDate, urgent.urgency, urgent.priorityClass],
      ['2026-06-10', { source: 'declared', status: 'pending' }, 2],
    );
    await db
      .updateTable('allocation_request')
      .set({ urgency_status: 'confirmed' })
      .where('reference', '=', first.confirmation.request.reference)
      .execute();
    // Confirmed: class 1; absent keeps it (still confirmed), another date waits for a review again, null removes it.
    const kept = await changeRequestPreferences(ctx(), {
      managementToken: token,
      preferences: { siteIds: [s.siteId], ...ALL_WEEK },
    });
    assert.deepEqual([kept.urgencyDate, kept.urgency.status, kept.priorityClass], ['2026-06-10', 'confirmed', 1]);
    const moved = await changeRequestPreferences(ctx(), {
      managementToken: token,
      preferences: { siteIds: [s.siteId], ...ALL_WEEK },
      urgencyDate: '2026-06-05',
    });
    assert.deepEqual([moved.urgency.status, moved.priorityClass], ['pending', 2]);
    const removed = await changeRequestPreferences(ctx(), {
      managementToken: token,
      preferences: { siteIds: [s.siteId], ...ALL_WEEK },
      urgencyDate: null,
    });
    assert.deepEqual(
      [removed.urgencyDate, removed.urgency, removed.priorityClass, removed.queuedOn],
      [null, { source: null, status: 'none' }, 2, '2026-06-01'],
    );
    await assert.rejects(
      changeRequestPreferences(ctx(), {
        managementToken: token,
        preferences: { siteIds: [s.siteId], weekdays: [6], halfDays: ['am'] },
      }),
      { code: 'VALIDATION_FAILED' },
    );
    await withdrawRequest(ctx(), token);
    await assert.rejects(
      changeRequestPreferences(ctx(), { managementToken: token, preferences: { siteIds: [s.siteId], ...ALL_WEEK } }),
      { code: 'REQUEST_NOT_ACTIVE' },
    );
  });

  it('withdraws a request with its pending offer: the slot is free for the next draw, and the person may file again', async () => {
    const db = database().db;
    const s = await allocationScenario(db);
    const person = applicant();
    const { confirmation } = await file(s, person);
    const requestId = (
      await db
        .selectFrom('allocation_request')
        .select('id')
        .where('reference', '=', confirmation.request.reference)
        .executeTakeFirstOrThrow()
    ).id;
    const [slotId] = await s.addSlots(1, new Date(NOW.getTime() + 4 * DAY));
    await pastDraw(db, s, 0, [{ status: 'pending', requestId, slotId: slotId! }]);
    const offered = await viewRequest(ctx(), confirmation.managementToken);
    assert.deepEqual([offered.status, offered.standing, offered.offer?.slotId], ['offered', null, slotId]);

    const { request, offerWithdrawn } = await withdrawRequest(ctx(), confirmation.managementToken);
    assert.deepEqual([request.status, offerWithdrawn, request.closedAt], ['withdrawn', true, NOW.toISOString()]);
    const pendingOnSlot = await db
      .selectFrom('offer')
      .select('id')
      .where('slot_id', '=', slotId!)
      .where('status', '=', 'pending')
      .execute();
    assert.equal(pendingOnSlot.length, 0);
    await assert.rejects(withdrawRequest(ctx(), confirmation.managementToken), { code: 'REQUEST_NOT_ACTIVE' });
    const again = await file(s, person);
    assert.notEqual(again.confirmation.request.reference, confirmation.request.reference);
  });

  it('signs an attestation anyone can verify; altered, foreign or convocation-signed tokens get one uniform refusal', async () => {
    const db = database().db;
    const s = await allocationScenario(db);
    const person = applicant({ surname: 'Nguyễn', givenNames: 'Thị Lan', nationality: 'VNM' });
    const { confirmation } = await file(s, person);
    clock.set(new Date(NOW.getTime() + 9 * DAY));
    const issued = await attestationOfManagementToken(
      { ...ctx(), publicUrl: 'https://rdv.example.gouv.fr' },
      signer,
      confirmation.managementToken,
    );
    assert.deepEqual(
      [issued.facts.reference, issued.facts.status, issued.facts.filedAt, issued.facts.issuedAt],
      [confirmation.request.reference, 'waiting', NOW.toISOString(), new Date(NOW.getTime() + 9 * DAY).toISOString()],
    );
    const origin = { ip: '198.51.100.7', route: 'POST /api/attestations/verify' };
    const ok = await verifyAttestation(ctx(), signer, issued.token, origin);
    assert.deepEqual(
      [ok.attested.reference, ok.attested.surname, ok.attested.status, ok.current?.status, ok.stillCurrent],
      [confirmation.request.reference, 'Nguyễn', 'waiting', 'waiting', true],
    );

    // The printable page and the PDF.
    const html = await renderAttestationHtml(issued);
    assert.match(html, /^<!doctype html>\n<html lang="fr">/);
    assert.match(html, /lang="en"/);
    assert.ok(html.includes(confirmation.request.reference) && html.includes('Thị Lan NGUYỄN'));
    assert.doesNotMatch(html, /<script|<link|src="http|href="http|url\(/i);
    const pdfBytes = await renderAttestationPdf(issued);
    assert.equal(Buffer.from(pdfBytes.subarray(0, 5)).toString('latin1'), '%PDF-');
    const pdf = await PDFDocument.load(pdfBytes);
    assert.ok(pdf.getPageCount() >= 1);
    assert.match(pdf.getTitle() ?? '', new RegExp(confirmation.request.reference));
    assert.ok((pdf.getKeywords() ?? '').includes(issued.token));

    // The status changes: the attestation still verifies, and says it is no longer current.
    clock.set(new Date(NOW.getTime() + 10 * DAY));
    await withdrawRequest(ctx(), confirmation.managementToken);
    const stale = await verifyAttestation(ctx(), signer, issued.token, origin);
    assert.deepEqual(
      [stale.attested.status, stale.current?.status, stale.stillCurrent],
      ['waiting', 'withdrawn', false],
    );

    // Refusals: altered facts, another key, a convocation signature over the same bytes, junk.
    const parsed = parseAttestationToken(issued.token)!;
    const [payload, signature] = issued.token.split('.') as [string, string];
    const alteredFacts = encodeAttestationPayload({ ...parsed.facts, status: 'booked' });
    const otherKey = createEd25519Signer(generateKeyPairSync('ed25519').privateKey);
    const forgeries = [
      `${payload.slice(0, 20)}${payload[20] === 'A' ? 'B' : 'A'}${payload.slice(21)}.${signature}`,
      formatAttestationToken(alteredFacts, Buffer.from(signature, 'base64url')),
      signAttestation(otherKey, parsed.facts),
      formatAttestationToken(parsed.payloadBytes, signer.sign(signedMessage(parsed.payloadBytes))),
      'not a token',
    ];
    const refusals = await Promise.all(
      forgeries.map((t) =>
        verifyAttestation(ctx(), signer, t, origin).then(
          () => null,
          (e: DomainError) => `${e.code}|${e.message}|${JSON.stringify(e.details)}`,
        ),
      ),
    );
    assert.equal(refusals.filter((r) => r === null).length, 0);
    assert.equal(new Set(refusals).size, 1);
    assert.match(refusals[0]!, /^ATTESTATION_INVALID\|/);
    await ctx().securityEvents.flush();
    const events = await db
      .selectFrom('security_event')
      .select('details')
      .where('reason', '=', 'attestation_invalid')
      .where('ip', '=', origin.ip)
      .execute();
    assert.ok(events.length >= forgeries.length);

    // Deleted under the retention schedule: the signed facts still stand, with no current state.
    await db.deleteFrom('allocation_request').where('reference', '=', confirmation.request.reference).execute();
    const gone = await verifyAttestation(ctx(), signer, issued.token, origin);
    assert.deepEqual(
      [gone.attested.reference, gone.current, gone.stillCurrent],
      [confirmation.request.reference, null, false],
    );
  });

  it('reads the request catalogue in one statement as the separate reads give it, on the prefecture’s local date', async () => {
    const db = () => database().db;
    const a = await allocationScenario(db());
    // A second site: a Monday rule that ended on 1 June, a Saturday rule that ends on 2 June, and
    // a closed counter's rule.
    const antenna = `${a.siteId}-antenna`;
    await db()
      .insertInto('site')
      .values({ id: antenna, prefecture_id: a.prefectureId, kind: 'antenna', name: 'Antenne', address: '2 rue' })
      .execute();
    const counters = ['ended', 'saturday', 'closed'].map((c) => `${antenna}-${c}`);
    for (const id of counters)
      await db()
        .insertInto('counter')
        .values({ id, site_id: antenna, name: id, active: !id.endsWith('closed') })
        .execute();
    await openCounters(db(), [counters[0]!], a.procedureId, [1]);
    await openCounters(db(), [counters[1]!], a.procedureId, [6]);
    await openCounters(db(), [counters[2]!], a.procedureId, [7]);
    await sql`update opening_rule set valid_until = case counter_id when ${counters[0]} then date '2026-06-01' else date '2026-06-02' end
               where counter_id in (${counters[0]}, ${counters[1]})`.execute(db());

    const store = createRequestStore(db());
    const booking = createBookingStore(db());
    // 00:30 on 2 June in Paris, still 1 June in UTC: the rule that ended on 1 June no longer counts.
    const at = new Date('2026-06-01T22:30:00Z');
    const catalogue = await store.requestCatalogue(a.prefectureId, a.procedureId, at);
    assert.deepEqual(catalogue.procedure, await booking.getProcedure(a.procedureId));
    assert.deepEqual(catalogue.prefecture, await booking.getPrefecture(a.prefectureId));
    assert.deepEqual(catalogue.sites, await booking.listSites(a.prefectureId));
    assert.deepEqual(catalogue.receiving, await store.receivingSites(a.prefectureId, a.procedureId, '2026-06-02'));
    assert.deepEqual(
      catalogue.receiving,
      [
        { siteId: a.siteId, weekdays: [1, 2, 3, 4, 5] },
        { siteId: antenna, weekdays: [6] },
      ].sort((x, y) => (x.siteId < y.siteId ? -1 : 1)),
    );
    const dayBefore = await store.requestCatalogue(a.prefectureId, a.procedureId, new Date('2026-06-01T21:30:00Z'));
    assert.deepEqual(dayBefore.receiving.find((r) => r.siteId === antenna)?.weekdays, [1, 6]);

    assert.deepEqual(await store.requestCatalogue('00', 'no-such-procedure', at), {
      procedure: null,
      prefecture: null,
      sites: [],
      receiving: [],
    });
  });
});
