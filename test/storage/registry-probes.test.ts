// One email code, a bounded number of registry checks (issue 12 §6), on both engines: each
// registry check spends one of the code's tries (given back when it passes or cannot be
// made), and the code is bound to the first AGDREF number checked with it. The registry is
// counted: once the code is spent or bound elsewhere, it is not asked any more.
import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import { createRequestStore } from '../../src/adapters/db/request-store.ts';
import { createDbRegistry, insertRegistryResidents } from '../../src/adapters/registry/db-registry.ts';
import { type BookSlotInput, bookSlot } from '../../src/app/booking/book-slot.ts';
import { fileRequest } from '../../src/app/requests/file-request.ts';
import { requestContext } from '../../src/app/requests/request-context.ts';
import { DomainError } from '../../src/domain/errors.ts';
import type { ApplicantIdentity } from '../../src/domain/identity.ts';
import { type Registry, RegistryUnavailable } from '../../src/ports/registry.ts';
import { describeEachEngine } from '../support/databases.ts';
import { allocationScenario } from '../support/requests.ts';
import { applicant, createScenario, knownEmailProof, TestClock, testContext } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z');
const FIRST_SLOT = new Date('2026-06-03T07:00:00Z');
const MAX_ATTEMPTS = 5; // testContext's emailCodes.maxAttempts
let numbers = 0;

const codeOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (e: unknown) => (e instanceof DomainError ? e.code : String(e)),
  );

/** The embedded registry, counting its lookups; `down` makes it unreachable. */
function countingRegistry(inner: Registry) {
  const registry = {
    lookups: [] as string[],
    down: false,
    async lookup(agdrefNumber: string) {
      registry.lookups.push(agdrefNumber);
      if (registry.down) throw new RegistryUnavailable('registry down (test)');
      return inner.lookup(agdrefNumber);
    },
  };
  return registry;
}

describeEachEngine('registry checks paid with email-code tries', (database) => {
  const clock = new TestClock(NOW);
  beforeEach(() => clock.set(NOW));

  /** A renewal that checks the registry, a resident inside the window, a fresh counting registry. */
  async function renewal(slotCount = 3) {
    const db = database().db;
    // One counter: each slot is its own time, so a taken one has no free twin to book instead.
    const s = await createScenario(db, { counters: 1, procedure: { identityProof: 'agdref' } });
    await db
      .updateTable('procedure')
      .set({
        registry_check: true,
        renewal_window_start_months: 4,
        renewal_window_end_months: 2,
        alternative_procedure_id: null,
      })
      .where('id', '=', s.procedureId)
      .execute();
    const slots = await s.addSlots(slotCount, FIRST_SLOT);
    const agdrefNumber = `78${String(process.pid % 1000).padStart(3, '0')}${String(++numbers).padStart(5, '0')}`;
    await insertRegistryResidents(db, [
      {
        agdrefNumber,
        surname: 'OKAFOR',
        givenNames: 'Chidi',
        birthDate: '1979-01-15',
        nationality: 'NGA',
        permitType: 'carte de séjour temporaire',
        permitExpiresOn: '2026-09-01',
      },
    ]);
    const person = applicant({
      surname: 'Okafor',
      givenNames: 'Chidi',
      birthDate: '1979-01-15',
      nationality: 'NGA',
      agdrefNumber,
      passportNumber: undefined,
    });
    const registry = countingRegistry(createDbRegistry(db));
    const ctx = testContext(db, clock, { registry });
    const book = (input: Omit<BookSlotInput, 'slotId'> & { slotId?: string }) =>
      bookSlot(ctx, { slotId: slots[0]!, ...input });
    return { s, slots, person, registry, ctx, book };
  }
  const attemptsOf = async (verificationId: string) =>
    await database()
      .db.selectFrom('email_verification')
      .select(['attempts', 'identity_key'])
      .where('id', '=', verificationId)
      .executeTakeFirstOrThrow();

  it('probing 10 AGDREF numbers with one code asks the registry once: the code is bound to the first number', async () => {
    const { person, registry, ctx, book } = await renewal();
    const proof = await knownEmailProof(ctx, person.email);
    const codes: string[] = [];
    for (let i = 0; i < 10; i++) {
      const probe: ApplicantIdentity = {
        ...person,
        agdrefNumber: `79${String(process.pid % 1000).padStart(3, '0')}${String(++numbers).padStart(5, '0')}`,
      };
      codes.push(await codeOf(book({ applicant: probe, emailProof: proof })));
    }
    assert.deepEqual(codes, ['IDENTITY_NOT_VERIFIED', ...Array.from({ length: 9 }, () => 'EMAIL_CODE_INVALID')]);
    assert.equal(registry.lookups.length, 1);
    assert.ok(registry.lookups.length <= MAX_ATTEMPTS);
    // Even the right identity is refused with this code now (another number than the bound one), without a lookup.
    assert.equal(await codeOf(book({ applicant: person, emailProof: proof })), 'EMAIL_CODE_INVALID');
    assert.equal(registry.lookups.length, 1);
    // A new code books: a typo in the number costs a new code, nothing more.
    assert.equal(await codeOf(book({ applicant: person, emailProof: await knownEmailProof(ctx, person.email) })), 'ok');
  });

  it('probing one number with 10 surnames makes at most EMAIL_CODE_MAX_ATTEMPTS registry checks, then none', async () => {
    const { person, registry, ctx, book } = await renewal();
    const proof = await knownEmailProof(ctx, person.email);
    const codes: string[] = [];
    for (let i = 0; i < 10; i++)
      codes.push(
        await codeOf(book({ applicant: { ...person, surname: `Okafor${'x'.repeat(i + 1)}` }, emailProof: proof })),
      );
    assert.deepEqual(codes, [
      ...Array.from({ length: MAX_ATTEMPTS }, () => 'IDENTITY_NOT_VERIFIED'),
      ...Array.from({ length: 10 - MAX_ATTEMPTS }, () => 'EMAIL_CODE_INVALID'),
    ]);
    assert.equal(registry.lookups.length, MAX_ATTEMPTS);
    assert.equal((await attemptsOf(proof.verificationId)).attempts, MAX_ATTEMPTS);
    // The code is dead: the right identity too is refused, and the registry is not asked.
    assert.equal(await codeOf(book({ applicant: person, emailProof: proof })), 'EMAIL_CODE_INVALID');
    assert.equal(registry.lookups.length, MAX_ATTEMPTS);
  });

  it('counts every one of 10 simultaneous probes: never more registry checks than tries', async () => {
    const { person, registry, ctx, slots } = await renewal(10);
    const proof = await knownEmailProof(ctx, person.email);
    const codes = await Promise.all(
      slots.map((slotId, i) =>
        codeOf(
          bookSlot(ctx, {
            slotId,
            applicant: { ...person, birthDate: `1979-02-${String(10 + i)}` },
            emailProof: proof,
          }),
        ),
      ),
    );
    assert.ok(registry.lookups.length <= MAX_ATTEMPTS, `${registry.lookups.length} registry checks`);
    assert.equal(codes.filter((c) => c === 'IDENTITY_NOT_VERIFIED').length, registry.lookups.length);
    assert.equal(codes.filter((c) => c === 'EMAIL_CODE_INVALID').length, 10 - registry.lookups.length);
    assert.ok((await attemptsOf(proof.verificationId)).attempts <= MAX_ATTEMPTS);
  });

  it('books the right identity after a wrong birth date with the same number: one try spent, the code still bound to it', async () => {
    const { person, registry, ctx, book } = await renewal();
    const proof = await knownEmailProof(ctx, person.email);
    assert.equal(
      await codeOf(book({ applicant: { ...person, birthDate: '1979-01-16' }, emailProof: proof })),
      'IDENTITY_NOT_VERIFIED',
    );
    const after = await attemptsOf(proof.verificationId);
    assert.equal(after.attempts, 1);
    assert.equal(after.identity_key, ctx.hasher.identityKey(`agdref:${person.agdrefNumber}`));
    const { confirmation } = await book({ applicant: person, emailProof: proof });
    assert.equal(confirmation.appointment.status, 'booked');
    assert.equal(registry.lookups.length, 2);
  });

  it('gives the try back when the check passes or cannot be made: a refused booking or a registry outage costs nothing', async () => {
    const { person, registry, ctx, slots, book } = await renewal();
    const proof = await knownEmailProof(ctx, person.email);
    registry.down = true;
    assert.equal(await codeOf(book({ applicant: person, emailProof: proof })), 'REGISTRY_UNAVAILABLE');
    assert.equal((await attemptsOf(proof.verificationId)).attempts, 0);
    registry.down = false;
    // The slot is taken by someone else: refused before any check (a held slot is turned away
    // before the transaction), the code keeps its tries and the registry is not asked.
    const otherNumber = `79${String(process.pid % 1000).padStart(3, '0')}${String(++numbers).padStart(5, '0')}`;
    await insertRegistryResidents(database().db, [
      {
        agdrefNumber: otherNumber,
        surname: 'OKAFOR',
        givenNames: 'Chidi',
        birthDate: '1979-01-15',
        nationality: 'NGA',
        permitType: 'carte de séjour temporaire',
        permitExpiresOn: '2026-09-01',
      },
    ]);
    const other = applicant({ ...person, agdrefNumber: otherNumber, email: applicant().email });
    const elsewhere = testContext(database().db, clock);
    await bookSlot(elsewhere, {
      slotId: slots[1]!,
      applicant: other,
      emailProof: await knownEmailProof(elsewhere, other.email),
    });
    const lookupsBefore = registry.lookups.length;
    assert.equal(await codeOf(book({ slotId: slots[1]!, applicant: person, emailProof: proof })), 'SLOT_TAKEN');
    assert.equal((await attemptsOf(proof.verificationId)).attempts, 0);
    assert.equal(registry.lookups.length, lookupsBefore);
    assert.equal(await codeOf(book({ slotId: slots[2]!, applicant: person, emailProof: proof })), 'ok');
    assert.equal(registry.lookups.length, lookupsBefore + 1);
  });

  it('bounds the probes of request filing alike', async () => {
    const db = database().db;
    const s = await allocationScenario(db, { identityProof: 'agdref', registryCheck: true });
    const registry = countingRegistry(createDbRegistry(db));
    const ctx = requestContext(testContext(db, clock, { registry }), createRequestStore(db));
    const person = applicant({
      agdrefNumber: `79${String(process.pid % 1000).padStart(3, '0')}${String(++numbers).padStart(5, '0')}`,
      passportNumber: undefined,
    });
    const proof = await knownEmailProof(ctx, person.email, 'request');
    const codes: string[] = [];
    for (let i = 0; i < 8; i++) {
      codes.push(
        await codeOf(
          fileRequest(ctx, {
            prefectureId: s.prefectureId,
            procedureId: s.procedureId,
            applicant: { ...person, surname: `Probe${'x'.repeat(i)}` },
            emailProof: proof,
            preferences: { siteIds: [s.siteId], weekdays: [1, 2, 3, 4, 5], halfDays: ['am', 'pm'] },
          }),
        ),
      );
    }
    assert.deepEqual(codes, [
      ...Array.from({ length: MAX_ATTEMPTS }, () => 'IDENTITY_NOT_VERIFIED'),
      ...Array.from({ length: 8 - MAX_ATTEMPTS }, () => 'EMAIL_CODE_INVALID'),
    ]);
    assert.equal(registry.lookups.length, MAX_ATTEMPTS);
  });
});
