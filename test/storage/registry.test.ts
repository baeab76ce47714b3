import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { beforeEach, describe, it } from 'node:test';
import { createHasher } from '../../src/adapters/crypto-secrets.ts';
import { createDbRegistry, insertRegistryResidents } from '../../src/adapters/registry/db-registry.ts';
import {
  FICTITIOUS_RESIDENT_COUNT,
  type FictitiousResident,
  fictitiousResidents,
  type PermitSituation,
} from '../../src/adapters/registry/fictitious-residents.ts';
import { createHttpRegistry } from '../../src/adapters/registry/http-registry.ts';
import {
  type CheckRegistryDeps,
  type CheckRegistryInput,
  checkRegistry,
} from '../../src/app/applicants/check-registry.ts';
import { seedDemo } from '../../src/demo/demo-seed.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { normaliseAgdref } from '../../src/domain/identity.ts';
import { DEFAULT_RENEWAL_WINDOW, evaluateRegistryCheck, renewalWindowDates } from '../../src/domain/registry-check.ts';
import type { AttemptLimiter } from '../../src/ports/attempt-limiter.ts';
import type { Registry } from '../../src/ports/registry.ts';
import type { SecurityEvent, SecurityEventLog } from '../../src/ports/security-events.ts';
import { describeEachEngine } from '../support/databases.ts';
import { TestClock, testContext } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z'); // Monday 1 June 2026, 10:00 in Paris
const TODAY = '2026-06-01';
const RENEWAL = {
  id: 'renouvellement',
  renewalWindow: DEFAULT_RENEWAL_WINDOW,
  alternativeProcedureId: 'premiere-demande',
};
const DUPLICATE = { id: 'duplicata', renewalWindow: null, alternativeProcedureId: null };
const hasher = createHasher('test-identity-secret-0123456789abcdef');

/** Fixed-window counts in memory: enough to exercise the use case (the real adapters live in adapters/limits). */
class CountingLimiter implements AttemptLimiter {
  readonly counts = new Map<string, number>();
  async hit(key: string, limit: number, windowSeconds: number) {
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    return { allowed: count <= limit, retryAfterSeconds: windowSeconds };
  }
  async release(key: string) {
    this.counts.set(key, Math.max(0, (this.counts.get(key) ?? 0) - 1));
  }
}

class RecordedEvents implements SecurityEventLog {
  readonly events: SecurityEvent[] = [];
  record(event: SecurityEvent): void {
    this.events.push(event);
  }
  async flush(): Promise<void> {}
}

function deps(registry: Registry, overrides: Partial<CheckRegistryDeps> = {}) {
  const limiter = new CountingLimiter();
  const events = new RecordedEvents();
  const all: CheckRegistryDeps = {
    registry,
    limiter,
    events,
    clock: new TestClock(NOW),
    hasher,
    limits: { attemptsPerIpPerHour: 1_000_000, attemptsPerNumberPerHour: 1_000_000 },
    ...overrides,
  };
  return { ...all, limiter: all.limiter as CountingLimiter, events: all.events as RecordedEvents };
}

const residents = fictitiousResidents(TODAY);
const firstIn = (situation: PermitSituation, except: FictitiousResident[] = []) =>
  residents.find((r) => r.situation === situation && !except.includes(r))!;

const inputOf = (r: FictitiousResident, overrides: Partial<CheckRegistryInput> = {}): CheckRegistryInput => ({
  agdrefNumber: r.agdrefNumber,
  surname: r.surname,
  birthDate: r.birthDate,
  procedure: RENEWAL,
  ip: '203.0.113.7',
  ...overrides,
});

/** The refusal, as the HTTP layer would render it. */
async function refusal(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof DomainError, `expected a DomainError, got ${String(e)}`);
    return { code: e.code, message: e.message, details: e.details };
  }
  assert.fail('expected a refusal');
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

describe('fictitious residents', () => {
  it('are deterministic, distinct, well formed and cover every permit situation', () => {
    assert.equal(residents.length, FICTITIOUS_RESIDENT_COUNT);
    assert.deepEqual(fictitiousResidents(TODAY), residents);
    assert.equal(new Set(residents.map((r) => r.agdrefNumber)).size, residents.length);
    for (const r of residents) {
      assert.match(r.agdrefNumber, /^\d{10}$/);
      assert.match(r.birthDate, /^(19[5-9]\d|200[0-4])-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])$/);
      assert.match(r.nationality, /^[A-Z]{3}$/);
    }
    assert.ok(new Set(residents.map((r) => r.nationality)).size >= 15);
    assert.ok(new Set(residents.map((r) => r.permitType)).size >= 4);
    assert.ok(
      residents.some((r) => r.agdrefNumber.startsWith('0')),
      'some numbers are printed with 9 digits',
    );
    assert.ok(
      residents.some((r) => r.surname.includes(' ')),
      'some compound surnames',
    );
    assert.ok(residents.some((r) => r.homePrefectureId === '973'));
  });

  it('have the permit situation they claim, on the reference date and the days around it', () => {
    const counts = new Map<PermitSituation, number>();
    for (const r of residents) counts.set(r.situation, (counts.get(r.situation) ?? 0) + 1);
    assert.ok((counts.get('in_renewal_window') ?? 0) >= 60);
    for (const s of ['too_early', 'too_late', 'expired'] as const) assert.ok((counts.get(s) ?? 0) >= 15, s);
    const expected: Record<PermitSituation, string> = {
      in_renewal_window: 'ok',
      too_early: 'OUTSIDE_RENEWAL_WINDOW',
      too_late: 'OUTSIDE_RENEWAL_WINDOW',
      expired: 'PERMIT_EXPIRED',
    };
    for (const today of ['2026-05-31', TODAY, '2026-06-02']) {
      for (const r of residents) {
        const outcome = evaluateRegistryCheck({
          record: r,
          surname: r.surname,
          birthDate: r.birthDate,
          procedure: RENEWAL,
          today,
        });
        assert.equal(outcome.ok ? 'ok' : outcome.code, expected[r.situation], `${r.agdrefNumber} on ${today}`);
        if (r.situation === 'too_early') assert.ok(r.permitExpiresOn > '2026-10-01');
      }
    }
  });
});

describeEachEngine('AGDREF registry check', (database) => {
  const registry = () => createDbRegistry(database().db);

  it('looks a number up in the embedded registry', async () => {
    assert.equal(await insertRegistryResidents(database().db, residents), residents.length);
    assert.equal(
      await insertRegistryResidents(database().db, residents.slice(0, 10)),
      0,
      'existing numbers are left alone',
    );
    const r = residents[0]!;
    const { situation: _s, homePrefectureId: _h, ...record } = r;
    assert.deepEqual(await registry().lookup(r.agdrefNumber), record);
    assert.equal(await registry().lookup('0000000001'), null);
  });

  it('passes a resident inside the renewal window, however the number and names are typed', async () => {
    const r =
      residents.find(
        (x) => x.situation === 'in_renewal_window' && x.agdrefNumber.startsWith('0') && /[^\x00-\x7f]/.test(x.surname),
      ) ?? firstIn('in_renewal_window');
    const d = deps(registry());
    const nineDigits = r.agdrefNumber.startsWith('0') ? r.agdrefNumber.slice(1) : r.agdrefNumber;
    const typed = `${nineDigits.slice(0, 2)} ${nineDigits.slice(2, 5)} ${nineDigits.slice(5)}`;
    const passed = await checkRegistry(
      d,
      inputOf(r, {
        agdrefNumber: typed,
        surname: ` ${r.surname.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase()} `,
      }),
    );
    assert.equal(passed.agdrefNumber, r.agdrefNumber);
    assert.equal(passed.identityKey, hasher.identityKey(`agdref:${r.agdrefNumber}`));
    assert.equal(passed.record.permitExpiresOn, r.permitExpiresOn);
    assert.deepEqual(d.events.events, []);
    // One of the surnames of a compound surname is enough.
    const compound = residents.find((x) => x.situation === 'in_renewal_window' && x.surname === 'Diallo Ndiaye')!;
    await checkRegistry(d, inputOf(compound, { surname: 'DIALLO' }));
  });

  it('refuses a malformed number as a validation error, before counting an attempt', async () => {
    const d = deps(registry());
    for (const bad of ['12345678', '12345678901', '75A1234567', '']) {
      const r = await refusal(checkRegistry(d, inputOf(firstIn('in_renewal_window'), { agdrefNumber: bad })));
      assert.equal(r.code, 'VALIDATION_FAILED');
      assert.deepEqual(r.details, { errors: [{ path: 'applicant.agdrefNumber', message: 'must be 9 or 10 digits' }] });
    }
    assert.equal(d.limiter.counts.size, 0);
  });

  it('sends an expired permit to the first application, and explains the renewal window', async () => {
    const d = deps(registry());
    const expired = await refusal(checkRegistry(d, inputOf(firstIn('expired'))));
    assert.equal(expired.code, 'PERMIT_EXPIRED');
    assert.deepEqual(expired.details, { alternativeProcedureId: 'premiere-demande' });
    assert.match(expired.message, /premiere-demande/);

    const early = firstIn('too_early');
    const tooEarly = await refusal(checkRegistry(d, inputOf(early)));
    assert.equal(tooEarly.code, 'OUTSIDE_RENEWAL_WINDOW');
    assert.deepEqual(tooEarly.details, renewalWindowDates(early.permitExpiresOn, DEFAULT_RENEWAL_WINDOW));
    assert.ok(TODAY < (tooEarly.details as { opensOn: string }).opensOn);
    assert.match(tooEarly.message, /opens 4 months before expiry/);

    const tooLate = await refusal(checkRegistry(d, inputOf(firstIn('too_late'))));
    assert.equal(tooLate.code, 'OUTSIDE_RENEWAL_WINDOW');
    assert.match(tooLate.message, /closed on/);

    // A duplicate only checks who the person is.
    await checkRegistry(d, inputOf(firstIn('expired'), { procedure: DUPLICATE }));
    await checkRegistry(d, inputOf(firstIn('too_early'), { procedure: DUPLICATE }));
    assert.deepEqual(
      d.events.events.map((e) => e.details?.outcome),
      ['PERMIT_EXPIRED', 'OUTSIDE_RENEWAL_WINDOW', 'OUTSIDE_RENEWAL_WINDOW'],
    );
  });

  it('answers a wrong number, a wrong birth date, a wrong surname and an unknown number alike', async (t) => {
    const person = firstIn('in_renewal_window');
    const other = firstIn('in_renewal_window', [person]);
    const unknown = '0999999999';
    assert.equal(await registry().lookup(unknown), null);
    const cases = {
      wrongNumber: inputOf(person, { agdrefNumber: other.agdrefNumber }),
      wrongBirthDate: inputOf(person, {
        birthDate: person.birthDate.replace(/^(\d{4})/, (y) => String(Number(y) + 1)),
      }),
      wrongSurname: inputOf(person, { surname: 'Martin' }),
      unknownNumber: inputOf(person, { agdrefNumber: unknown }),
    };
    const d = deps(registry());
    const names = Object.keys(cases) as (keyof typeof cases)[];

    const answers = await Promise.all(names.map((n) => refusal(checkRegistry(d, cases[n]))));
    for (const a of answers)
      assert.deepEqual(a, {
        code: 'IDENTITY_NOT_VERIFIED',
        message: 'The AGDREF number, surname and birth date do not match the registry.',
        details: undefined,
      });
    // Every attempt is logged, keyed, without the number.
    assert.equal(d.events.events.length, names.length);
    for (const e of d.events.events) {
      assert.equal(e.reason, 'registry_mismatch');
      assert.ok(e.identityKey);
      assert.doesNotMatch(JSON.stringify(e), /\d{9,10}/);
    }

    // Interleaved rounds (a rotating order each round), so drifts of the machine hit every case alike.
    // Their times are printed, not asserted (tests never assert timings).
    const ROUNDS = 20;
    const WARM_UP = 2;
    const timings = new Map(names.map((n) => [n, [] as number[]]));
    for (let round = 0; round < WARM_UP + ROUNDS; round++) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(round + k) % names.length]!;
        const started = performance.now();
        await checkRegistry(d, cases[name]).catch(() => {});
        const elapsed = performance.now() - started;
        if (round >= WARM_UP) timings.get(name)!.push(elapsed);
      }
    }
    const medians = Object.fromEntries(names.map((n) => [n, median(timings.get(n)!)]));
    t.diagnostic(`median ms: ${names.map((n) => `${n} ${medians[n]!.toFixed(3)}`).join(', ')}`);
  });

  it('limits attempts per AGDREF number, across IPs', async () => {
    const d = deps(registry(), { limits: { attemptsPerIpPerHour: 100, attemptsPerNumberPerHour: 3 } });
    const person = firstIn('in_renewal_window');
    for (let i = 0; i < 3; i++)
      await refusal(checkRegistry(d, inputOf(person, { surname: 'Martin', ip: `198.51.100.${i}` })));
    const limited = await refusal(checkRegistry(d, inputOf(person, { ip: '198.51.100.200' })));
    assert.deepEqual(limited, {
      code: 'REGISTRY_ATTEMPTS_LIMITED',
      message: 'Too many identity checks; try again later.',
      details: { retryAfterSeconds: 3600 },
    });
    // The same number typed another way counts as the same number.
    const spaced = person.agdrefNumber.replace(/^(\d{2})(\d{4})/, '$1 $2 ');
    assert.equal(
      (await refusal(checkRegistry(d, inputOf(person, { agdrefNumber: spaced, ip: '198.51.100.201' })))).code,
      'REGISTRY_ATTEMPTS_LIMITED',
    );
    const last = d.events.events.at(-1)!;
    assert.equal(last.reason, 'registry_limited');
    assert.equal(last.details?.limitedBy, 'number');
    assert.ok(
      [...d.limiter.counts.keys()].every((k) => !k.includes(person.agdrefNumber)),
      'limiter keys never hold the raw number',
    );
    // Another person is not affected.
    await checkRegistry(d, inputOf(firstIn('in_renewal_window', [person]), { ip: '198.51.100.202' }));
  });

  it('limits attempts per IP, across numbers', async () => {
    const d = deps(registry(), { limits: { attemptsPerIpPerHour: 3, attemptsPerNumberPerHour: 100 } });
    const ip = '192.0.2.44';
    const candidates = residents.filter((r) => r.situation === 'in_renewal_window');
    for (let i = 0; i < 3; i++) await checkRegistry(d, inputOf(candidates[i]!, { ip }));
    const limited = await refusal(checkRegistry(d, inputOf(candidates[3]!, { ip })));
    assert.equal(limited.code, 'REGISTRY_ATTEMPTS_LIMITED');
    assert.equal(d.events.events.at(-1)?.details?.limitedBy, 'ip');
    // Another IP still gets through; an agent channel (no IP) is counted per number only.
    await checkRegistry(d, inputOf(candidates[3]!, { ip: '192.0.2.45' }));
    await checkRegistry(d, inputOf(candidates[4]!, { ip: null }));
  });

  it('lets every demo appointment and filed request of a registry-checked procedure pass the check it would meet', async () => {
    const db = database().db;
    await db.deleteFrom('registry_resident').execute();
    const clock = new TestClock(new Date('2026-06-01T06:00:00Z'));
    const report = await seedDemo(db, testContext(db, clock), { horizonDays: 30 });
    assert.ok(report.appointments >= 30);
    const procedures = await db.selectFrom('procedure').selectAll().where('registry_check', '=', true).execute();
    assert.deepEqual(procedures.map((p) => p.id).sort(), ['duplicata', 'remise-titre', 'renouvellement']);
    const renewal = procedures.find((p) => p.id === 'renouvellement')!;
    assert.deepEqual(
      [renewal.renewal_window_start_months, renewal.renewal_window_end_months, renewal.alternative_procedure_id],
      [4, 2, 'premiere-demande'],
    );
    assert.ok(
      (await db.selectFrom('registry_resident').select('agdref_number').execute()).length === FICTITIOUS_RESIDENT_COUNT,
    );

    const booked = await db
      .selectFrom('appointment as a')
      .innerJoin('procedure as p', 'p.id', 'a.procedure_id')
      .innerJoin('site', 'site.id', 'a.site_id')
      .innerJoin('prefecture', 'prefecture.id', 'site.prefecture_id')
      .select([
        'a.agdref_number',
        'a.surname',
        'a.birth_date',
        'p.id as procedure_id',
        'p.renewal_window_start_months',
        'p.renewal_window_end_months',
        'p.alternative_procedure_id',
        'prefecture.time_zone',
      ])
      .where('p.registry_check', '=', true)
      .execute();
    // Renewals are a scarce queue: they are requests waiting for a draw (the bulk crowd, at
    // @demo.creneau.fr, is fictitious filler that never went through the check).
    const filed = await db
      .selectFrom('allocation_request as a')
      .innerJoin('procedure as p', 'p.id', 'a.procedure_id')
      .innerJoin('prefecture', 'prefecture.id', 'a.prefecture_id')
      .select([
        'a.agdref_number',
        'a.surname',
        'a.birth_date',
        'p.id as procedure_id',
        'p.renewal_window_start_months',
        'p.renewal_window_end_months',
        'p.alternative_procedure_id',
        'prefecture.time_zone',
      ])
      .where('p.registry_check', '=', true)
      .where('a.email', 'not like', '%@demo.creneau.fr')
      .execute();
    assert.ok(
      filed.filter((b) => b.procedure_id === 'renouvellement').length >= 3,
      'renewal requests among the demo data',
    );
    booked.push(...filed);
    const d = deps(createDbRegistry(db), { clock });
    for (const b of booked) {
      const renewalWindow =
        b.renewal_window_start_months === null
          ? null
          : { startMonths: b.renewal_window_start_months, endMonths: b.renewal_window_end_months! };
      await checkRegistry(d, {
        agdrefNumber: b.agdref_number!,
        surname: b.surname,
        birthDate: b.birth_date,
        ip: null,
        timeZone: b.time_zone,
        procedure: { id: b.procedure_id, renewalWindow, alternativeProcedureId: b.alternative_procedure_id },
      });
    }
  });
});

describe('AGDREF registry check, registry down', () => {
  let port = 0;
  beforeEach(async () => {
    // A port nobody listens on: bind, note it, close.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('fails closed with REGISTRY_UNAVAILABLE and records it', async () => {
    const d = deps(createHttpRegistry({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 500 }));
    const person = firstIn('in_renewal_window');
    const r = await refusal(checkRegistry(d, inputOf(person, { route: 'POST /api/bookings' })));
    assert.deepEqual(r, {
      code: 'REGISTRY_UNAVAILABLE',
      message: 'The registry cannot be reached; try again later.',
      details: undefined,
    });
    assert.equal(d.events.events.length, 1);
    assert.equal(d.events.events[0]!.reason, 'registry_unavailable');
    assert.equal(d.events.events[0]!.route, 'POST /api/bookings');
    assert.equal(d.events.events[0]!.identityKey, hasher.identityKey(`agdref:${normaliseAgdref(person.agdrefNumber)}`));
  });
});
