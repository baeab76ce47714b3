// The answers kept under an Idempotency-Key on proof-of-work routes (migration 0013,
// app/shared/idempotent-requests.ts), on both engines: one claim per key whatever the concurrency,
// the very same request replayed, any other refused, a crashed claim taken over, 24 h kept.
import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import {
  claimRequest,
  earlierAnswer,
  finishRequest,
  IDEMPOTENCY_CLAIM_LEASE_MS,
  type IdempotentRequestInput,
  identifyRequest,
  proofOfWorkOwner,
  purgeIdempotentResponses,
} from '../../src/app/shared/idempotent-requests.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { describeEachEngine } from '../support/databases.ts';
import { TestClock, testContext } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z');
let keys = 0;
const input = (overrides: Partial<IdempotentRequestInput> = {}): IdempotentRequestInput => ({
  key: `key-${process.pid}-${++keys}-${Math.random()}`,
  route: 'POST /api/email-verifications',
  client: '198.51.100.7',
  body: { email: 'a@example.org', purpose: 'booking' },
  ...overrides,
});
const codeOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (e: unknown) => (e instanceof DomainError ? e.code : String(e)),
  );
const ANSWER = { status: 202, contentType: 'application/json; charset=utf-8', body: '{"verificationId":"v-1"}' };

describeEachEngine('idempotent answers of proof-of-work routes', (database) => {
  const clock = new TestClock(NOW);
  beforeEach(() => clock.set(NOW));
  const deps = () => testContext(database().db, clock);
  const hasher = () => deps().hasher;

  it('lets exactly one of 12 simultaneous claims of a key run; the others wait and get its answer', async () => {
    const request = identifyRequest(hasher(), input());
    const d = deps();
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const answer = await claimRequest(d, request);
        if (answer) return answer;
        await finishRequest(d, request.keyDigest, ANSWER);
        return 'ran' as const;
      }),
    );
    assert.equal(outcomes.filter((o) => o === 'ran').length, 1);
    assert.deepEqual(
      outcomes.filter((o) => o !== 'ran'),
      Array.from({ length: 11 }, () => ANSWER),
    );
    const rows = await database()
      .db.selectFrom('http_idempotency')
      .selectAll()
      .where('key_digest', '=', request.keyDigest)
      .execute();
    assert.equal(rows.length, 1);
  });

  it('replays only the very same request: another body, route or client under the key is refused', async () => {
    const first = input();
    const request = identifyRequest(hasher(), first);
    assert.equal(await claimRequest(deps(), request), null);
    await finishRequest(deps(), request.keyDigest, ANSWER);
    assert.deepEqual(await earlierAnswer(deps(), identifyRequest(hasher(), { ...first })), ANSWER);
    for (const other of [
      { body: { email: 'b@example.org', purpose: 'booking' } },
      { route: 'POST /api/bookings' },
      { client: '203.0.113.9' },
      { bearer: 'a-token' },
    ]) {
      assert.equal(
        await codeOf(earlierAnswer(deps(), identifyRequest(hasher(), { ...first, ...other }))),
        'IDEMPOTENCY_KEY_REUSED',
        JSON.stringify(other),
      );
      assert.equal(
        await codeOf(claimRequest(deps(), identifyRequest(hasher(), { ...first, ...other }))),
        'IDEMPOTENCY_KEY_REUSED',
        JSON.stringify(other),
      );
    }
    // Nothing of the request is stored in clear: neither the key nor the address.
    const row = await database()
      .db.selectFrom('http_idempotency')
      .selectAll()
      .where('key_digest', '=', request.keyDigest)
      .executeTakeFirstOrThrow();
    assert.ok(!JSON.stringify(row).includes(first.key) && !JSON.stringify(row).includes(first.client));
  });

  it('binds the proof-of-work owner to key, route, body and client', () => {
    const first = input();
    const owner = proofOfWorkOwner(hasher(), identifyRequest(hasher(), first));
    assert.equal(proofOfWorkOwner(hasher(), identifyRequest(hasher(), { ...first })), owner);
    for (const other of [
      { key: `${first.key}x` },
      { body: { email: 'b@example.org', purpose: 'booking' } },
      { route: 'POST /api/bookings' },
      { client: '203.0.113.9' },
    ]) {
      assert.notEqual(
        proofOfWorkOwner(hasher(), identifyRequest(hasher(), { ...first, ...other })),
        owner,
        JSON.stringify(other),
      );
    }
  });

  it('says IDEMPOTENCY_IN_PROGRESS while the first still runs, then replays its answer', async () => {
    const request = identifyRequest(hasher(), input());
    assert.equal(await claimRequest(deps(), request), null);
    assert.equal(await codeOf(earlierAnswer(deps(), request, 0)), 'IDEMPOTENCY_IN_PROGRESS');
    assert.equal(await codeOf(claimRequest(deps(), request, 0)), 'IDEMPOTENCY_IN_PROGRESS');
    await finishRequest(deps(), request.keyDigest, ANSWER);
    assert.deepEqual(await earlierAnswer(deps(), request, 0), ANSWER);
  });

  it('keeps lasting refusals, but releases passing troubles (5xx, 429, registry down) so that a retry runs', async () => {
    const kept = {
      status: 422,
      contentType: 'application/problem+json; charset=utf-8',
      body: '{"code":"EMAIL_CODE_INVALID"}',
    };
    for (const [answer, code, expected] of [
      [kept, 'EMAIL_CODE_INVALID', 'kept'],
      [{ ...kept, status: 503, body: '{"code":"SERVICE_UNAVAILABLE"}' }, 'SERVICE_UNAVAILABLE', 'released'],
      [{ ...kept, status: 429, body: '{"code":"EMAIL_CODE_SEND_LIMITED"}' }, 'EMAIL_CODE_SEND_LIMITED', 'released'],
      [{ ...kept, status: 500, body: '{"code":"INTERNAL_ERROR"}' }, 'INTERNAL_ERROR', 'released'],
      [{ ...kept, status: 409, body: '{"code":"IDEMPOTENCY_IN_PROGRESS"}' }, 'IDEMPOTENCY_IN_PROGRESS', 'released'],
      [{ ...kept, status: 409, body: '{"code":"SLOT_TAKEN"}' }, 'SLOT_TAKEN', 'kept'],
    ] as const) {
      const request = identifyRequest(hasher(), input());
      assert.equal(await claimRequest(deps(), request), null);
      assert.equal(await finishRequest(deps(), request.keyDigest, { ...answer, code }), expected);
      if (expected === 'kept')
        assert.deepEqual(await earlierAnswer(deps(), request, 0), {
          status: answer.status,
          contentType: answer.contentType,
          body: answer.body,
        });
      else assert.equal(await claimRequest(deps(), request, 0), null, 'a retry claims the key again and runs');
    }
  });

  it('lets the same request take over a claim left unanswered past its lease (a crashed instance), and nobody else', async () => {
    const first = input();
    const request = identifyRequest(hasher(), first);
    assert.equal(await claimRequest(deps(), request), null);
    clock.set(new Date(NOW.getTime() + IDEMPOTENCY_CLAIM_LEASE_MS - 1000));
    assert.equal(
      await codeOf(claimRequest(deps(), request, 0)),
      'IDEMPOTENCY_IN_PROGRESS',
      'within the lease: still running',
    );
    clock.set(new Date(NOW.getTime() + IDEMPOTENCY_CLAIM_LEASE_MS + 1000));
    assert.equal(
      await codeOf(claimRequest(deps(), identifyRequest(hasher(), { ...first, body: { other: true } }), 0)),
      'IDEMPOTENCY_KEY_REUSED',
    );
    assert.equal(await earlierAnswer(deps(), request, 0), null, 'a stale claim has no answer: go on');
    assert.equal(await claimRequest(deps(), request, 0), null, 'taken over');
    assert.equal(
      await codeOf(claimRequest(deps(), request, 0)),
      'IDEMPOTENCY_IN_PROGRESS',
      'and held again with a fresh lease',
    );
  });

  it('purges the answers after 24 hours', async () => {
    const old = identifyRequest(hasher(), input());
    assert.equal(await claimRequest(deps(), old), null);
    await finishRequest(deps(), old.keyDigest, ANSWER);
    clock.set(new Date(NOW.getTime() + 23 * 3_600_000));
    const recent = identifyRequest(hasher(), input());
    assert.equal(await claimRequest(deps(), recent), null);
    await finishRequest(deps(), recent.keyDigest, ANSWER);
    clock.set(new Date(NOW.getTime() + 24 * 3_600_000 + 1000));
    assert.ok((await purgeIdempotentResponses(deps())) >= 1);
    assert.equal(await earlierAnswer(deps(), old, 0), null, 'the old key is free again');
    assert.deepEqual(await earlierAnswer(deps(), recent, 0), ANSWER);
  });
});
