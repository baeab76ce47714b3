// What an attacker probing the API sees: wrong, unknown and expired things must look alike —
// same status, same body. Their times (which the code keeps alike by taking the same path)
// are printed as diagnostics, not asserted: tests never assert timings; the cases are
// interleaved so that drifts of the machine hit them alike.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { insertRegistryResidents } from '../../src/adapters/registry/db-registry.ts';
import { describeEachEngine } from '../support/databases.ts';
import { solvedPow, testServer } from '../support/http.ts';
import { applicant, createScenario, knownEmailProof, TestClock, testContext } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z');
const ROUNDS = 12;
const WARM_UP = 2;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * Runs each case ROUNDS times, interleaved; `prepare` builds a request body outside the
 * timed part (proof of work, email proofs). Returns the answers and the median times.
 */
async function probe(app: FastifyInstance, cases: Record<string, () => Promise<object>>) {
  const names = Object.keys(cases);
  const timings = new Map(names.map((n) => [n, [] as number[]]));
  const answers = new Map(names.map((n) => [n, new Set<string>()]));
  for (let round = 0; round < WARM_UP + ROUNDS; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length]!;
      const payload = await cases[name]!();
      const started = performance.now();
      const res = await app.inject({ method: 'POST', url: '/api/bookings', payload });
      const elapsed = performance.now() - started;
      answers.get(name)!.add(`${res.statusCode} ${res.body}`);
      if (round >= WARM_UP) timings.get(name)!.push(elapsed);
    }
  }
  return { answers, medians: Object.fromEntries(names.map((n) => [n, median(timings.get(n)!)])) };
}

function assertAlike(
  result: Awaited<ReturnType<typeof probe>>,
  expectedCode: string,
  diagnostic: (message: string) => void,
) {
  const all = new Set([...result.answers.values()].flatMap((s) => [...s]));
  assert.equal(all.size, 1, `answers differ: ${[...all].join('\n')}`);
  const [answer] = [...all];
  assert.match(answer!, new RegExp(`"code":"${expectedCode}"`));
  diagnostic(
    `median ms: ${Object.entries(result.medians)
      .map(([name, ms]) => `${name} ${ms.toFixed(2)}`)
      .join(', ')}`,
  );
}

describeEachEngine('no enumeration', (database) => {
  const clock = new TestClock(NOW);
  let app: FastifyInstance;
  before(async () => {
    app = await testServer(database(), clock);
  });
  after(async () => app?.close());
  const ctx = () => testContext(database().db, clock);

  it('answers a wrong, an unknown and an expired email code alike', async (t) => {
    const s = await createScenario(database().db);
    const [slotId] = await s.addSlots(1, new Date('2026-06-02T07:00:00Z'));
    const body = async (emailVerification: object, person = applicant()) => ({
      slotId,
      applicant: person,
      emailVerification,
      altcha: await solvedPow(app),
    });
    const result = await probe(app, {
      wrongCode: async () => {
        const person = applicant();
        const proof = await knownEmailProof(ctx(), person.email);
        return body({ ...proof, code: '11112222' }, person);
      },
      unknownVerification: async () => body({ verificationId: crypto.randomUUID(), code: '11112222' }),
      otherAddress: async () => body(await knownEmailProof(ctx(), applicant().email)),
    });
    assertAlike(result, 'EMAIL_CODE_INVALID', (m) => t.diagnostic(m));
  });

  it('answers a wrong birth date, a wrong number and an unknown number alike', async (t) => {
    const db = database().db;
    const s = await createScenario(db, { procedure: { identityProof: 'agdref' } });
    await db
      .updateTable('procedure')
      .set({ registry_check: true, renewal_window_start_months: 4, renewal_window_end_months: 2 })
      .where('id', '=', s.procedureId)
      .execute();
    const [slotId] = await s.addSlots(1, new Date('2026-06-02T07:00:00Z'));
    await insertRegistryResidents(db, [
      {
        agdrefNumber: '7600000001',
        surname: 'KOUAME',
        givenNames: 'Yao',
        birthDate: '1985-03-03',
        nationality: 'CIV',
        permitType: 'carte de séjour temporaire',
        permitExpiresOn: '2026-09-01',
      },
      {
        agdrefNumber: '7600000002',
        surname: 'TRAORE',
        givenNames: 'Mariam',
        birthDate: '1992-12-12',
        nationality: 'MLI',
        permitType: 'carte de séjour temporaire',
        permitExpiresOn: '2026-09-01',
      },
    ]);
    const kouame = {
      surname: 'Kouamé',
      givenNames: 'Yao',
      birthDate: '1985-03-03',
      nationality: 'CIV',
      agdrefNumber: '7600000001',
      passportNumber: undefined,
    };
    const body = async (overrides: object) => {
      const person = applicant({ ...kouame, ...overrides });
      return {
        slotId,
        applicant: person,
        emailVerification: await knownEmailProof(ctx(), person.email),
        altcha: await solvedPow(app),
      };
    };
    const result = await probe(app, {
      wrongBirthDate: () => body({ birthDate: '1985-03-04' }),
      wrongNumber: () => body({ agdrefNumber: '7600000002' }),
      unknownNumber: () => body({ agdrefNumber: '7699999999' }),
    });
    assertAlike(result, 'IDENTITY_NOT_VERIFIED', (m) => t.diagnostic(m));
  });
});
