// Call-back requests in the database: the agents' queue oldest first per prefecture and
// status, and at most one open call-back per phone number and prefecture — however many
// times, and however simultaneously, the form is sent.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { createCallbackStore } from '../../src/adapters/db/callback-store.ts';
import { type CallbackContext, requestCallback } from '../../src/app/callbacks/request-callback.ts';
import { normalisePhoneNumber } from '../../src/domain/callback-rules.ts';
import type { DomainError } from '../../src/domain/errors.ts';
import { describeEachEngine } from '../support/databases.ts';
import { codeOf } from '../support/outcome.ts';
import { createScenario, TestClock, testContext } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z');

describe('phone numbers of call-backs', () => {
  it('keeps French numbers in national form and others in international form', () => {
    assert.equal(normalisePhoneNumber('06 12 34 56 78'), '0612345678');
    assert.equal(normalisePhoneNumber('+33 (0)6'), null);
    assert.equal(normalisePhoneNumber('+33 6 12 34 56 78'), '0612345678');
    assert.equal(normalisePhoneNumber('0033.6.12.34.56.78'), '0612345678');
    assert.equal(normalisePhoneNumber('0594 39 45 10'), '0594394510');
    assert.equal(normalisePhoneNumber('+221 77 123 45 67'), '+221771234567');
    assert.equal(normalisePhoneNumber('00221771234567'), '+221771234567');
    for (const bad of [
      '12345',
      '+33 6 12',
      '06 12 34 56 7a',
      '0012',
      '+0221771234567',
      '+1234567890123456',
      '',
      '00 00 00 00 00',
    ]) {
      assert.equal(normalisePhoneNumber(bad), null, bad);
    }
  });
});

describeEachEngine('call-back requests', (database) => {
  const clock = new TestClock(NOW);
  const context = (): CallbackContext => ({
    store: testContext(database().db, clock).store,
    callbacks: createCallbackStore(database().db),
    clock,
    secrets: testContext(database().db, clock).secrets,
  });
  const phone = () => `06${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;

  it('queues a call-back, and a second one for the same number and prefecture stores nothing', async () => {
    const db = database().db;
    await createScenario(db, { prefectureId: '93' });
    await createScenario(db, { prefectureId: '973', timeZone: 'America/Cayenne' });
    const number = phone();
    const first = await requestCallback(context(), {
      prefectureId: '93',
      phone: number,
      language: 'ar',
      situation: '  Mon titre expire le mois prochain.\r\n',
    });
    assert.equal(first.stored, true);
    assert.match(first.reference, /^[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{2}$/);
    // The same number written another way, a different situation: still the same open call-back, its reference.
    const spaced = `+33 ${number.slice(1, 2)} ${number.slice(2, 6)} ${number.slice(6)}`;
    assert.deepEqual(
      await requestCallback(context(), { prefectureId: '93', phone: spaced, language: 'fr', situation: 'Encore moi' }),
      { stored: false, reference: first.reference },
    );
    assert.deepEqual(await context().callbacks.findWaitingCallback(first.reference), {
      reference: first.reference,
      phone: number,
      prefectureId: '93',
    });
    // Another prefecture is another queue.
    const cayenne = await requestCallback(context(), {
      prefectureId: '973',
      phone: number,
      language: 'fr',
      situation: 'Cayenne',
    });
    assert.equal(cayenne.stored, true);
    assert.notEqual(cayenne.reference, first.reference);

    const rows = await db
      .selectFrom('callback_request')
      .selectAll()
      .where('phone', '=', number)
      .orderBy('prefecture_id')
      .execute();
    assert.deepEqual(
      rows.map((r) => [r.prefecture_id, r.language, r.situation, r.status, r.notes, r.assigned_agent]),
      [
        ['93', 'ar', 'Mon titre expire le mois prochain.', 'to_call', '', null],
        ['973', 'fr', 'Cayenne', 'to_call', '', null],
      ],
    );
    assert.equal(new Date(rows[0]!.created_at).getTime(), NOW.getTime());

    // Once an agent has called, the number may ask again.
    await db
      .updateTable('callback_request')
      .set({ status: 'called' })
      .where('phone', '=', number)
      .where('prefecture_id', '=', '93')
      .execute();
    const again = await requestCallback(context(), {
      prefectureId: '93',
      phone: number,
      language: 'fr',
      situation: 'Rappel',
    });
    assert.equal(again.stored, true);
    assert.notEqual(again.reference, first.reference, 'a new call-back, a new reference');
  });

  it('stores one call-back out of many simultaneous ones for the same number', async () => {
    await createScenario(database().db, { prefectureId: '93' });
    const number = phone();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        requestCallback(context(), { prefectureId: '93', phone: number, language: 'en', situation: `try ${i}` }),
      ),
    );
    assert.equal(results.filter((r) => r.stored).length, 1);
    const count = await database()
      .db.selectFrom('callback_request')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('phone', '=', number)
      .executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 1);
  });

  it('gives the agents their queue oldest first, per prefecture and status, page by page', async () => {
    const db = database().db;
    await createScenario(db, { prefectureId: '2A', timeZone: 'Europe/Paris' });
    const store = createCallbackStore(db);
    const numbers = [phone(), phone(), phone(), phone()];
    // Filed in the order 2, 0, 3, 1; the third one is already called.
    for (const [i, minutes] of [
      [2, 0],
      [0, 5],
      [3, 10],
      [1, 15],
    ] as const) {
      await store.insertCallbackRequest({
        prefectureId: '2A',
        phone: numbers[i]!,
        language: 'fr',
        situation: `n${i}`,
        createdAt: new Date(NOW.getTime() + minutes * 60_000),
      });
    }
    const agent = await db
      .insertInto('agent')
      .values({
        email: `agent-${numbers[3]}@interieur.gouv.fr`,
        display_name: 'Agent 1',
        password_hash: '$argon2id$x',
        totp_secret: 'sealed',
        role: 'counter',
        prefecture_id: '2A',
        created_at: NOW,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .updateTable('callback_request')
      .set({ status: 'called', assigned_agent: agent.id })
      .where('phone', '=', numbers[3]!)
      .execute();

    const queue = await store.listCallbackRequests({ prefectureId: '2A', status: 'to_call', limit: 10 });
    assert.deepEqual(
      queue.map((c) => c.situation),
      ['n2', 'n0', 'n1'],
    );
    const firstPage = await store.listCallbackRequests({ prefectureId: '2A', status: 'to_call', limit: 2 });
    const last = firstPage.at(-1)!;
    const secondPage = await store.listCallbackRequests({
      prefectureId: '2A',
      status: 'to_call',
      limit: 2,
      after: { createdAt: last.createdAt, id: last.id },
    });
    assert.deepEqual(
      [...firstPage, ...secondPage].map((c) => c.situation),
      ['n2', 'n0', 'n1'],
    );
    const called = await store.listCallbackRequests({ prefectureId: '2A', status: 'called', limit: 10 });
    assert.deepEqual(
      called.map((c) => [c.situation, c.assignedAgent, c.assignedAgentName, c.phone]),
      [['n3', agent.id, 'Agent 1', numbers[3]]],
    );
    assert.deepEqual(await store.listCallbackRequests({ prefectureId: '973', status: 'called', limit: 10 }), []);
  });

  it('refuses what the form must not store, and the database refuses it too', async () => {
    const db = database().db;
    await createScenario(db, { prefectureId: '93' });
    const refused = await codeOf(
      requestCallback(context(), {
        prefectureId: '93',
        phone: '12 34',
        language: 'klingon',
        situation: 'x'.repeat(501),
      }),
    );
    assert.equal(refused, 'VALIDATION_FAILED');
    try {
      await requestCallback(context(), { prefectureId: '99', phone: '0612345678', language: 'fr', situation: '   ' });
      assert.fail('accepted');
    } catch (error) {
      assert.deepEqual((error as DomainError).details?.errors, [
        { path: 'prefectureId', message: 'a prefecture served by Créneau' },
        { path: 'situation', message: '1 to 500 characters' },
      ]);
    }
    // 500 characters (emoji count as one each, as char_length counts them) are fine.
    const long = await requestCallback(context(), {
      prefectureId: '93',
      phone: phone(),
      language: 'other',
      situation: '🙂'.repeat(500),
    });
    assert.equal(long.stored, true);
    // The store itself, past the use case: an unknown prefecture, and the table's checks.
    const store = createCallbackStore(db);
    assert.equal(
      await codeOf(
        store.insertCallbackRequest({
          prefectureId: '99',
          phone: phone(),
          language: 'fr',
          situation: 'x',
          createdAt: NOW,
        }),
      ),
      'PREFECTURE_NOT_FOUND',
    );
    const raw = (phoneNumber: string, situation: string, status = 'to_call') =>
      db
        .insertInto('callback_request')
        .values({
          prefecture_id: '93',
          phone: phoneNumber,
          language: 'fr',
          situation,
          status: sql`${status}`,
          created_at: NOW,
          updated_at: NOW,
        })
        .execute();
    assert.equal(await codeOf(raw('06 12 34 56 78', 'x')), 'db:23514');
    assert.equal(await codeOf(raw(phone(), '')), 'db:23514');
    assert.equal(await codeOf(raw(phone(), 'x'.repeat(501))), 'db:23514');
    assert.equal(await codeOf(raw(phone(), 'x', 'forgotten')), 'db:23514');
  });
});
