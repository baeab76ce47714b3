// Scenario builders for storage tests: real rows in a real database, no mocks.
import { randomBytes } from 'node:crypto';
import type { Db } from '../../src/adapters/db/database.ts';
import { bookSlot } from '../../src/app/booking/book-slot.ts';
import type { AppContext } from '../../src/app/shared/context.ts';
import { presetEmailProof } from '../../src/demo/demo-seed.ts';
import type { ApplicantIdentity } from '../../src/domain/identity.ts';
import type { EmailCodePurpose } from '../../src/domain/one-time-code.ts';
import { type PortOverrides, testServices } from './services.ts';

export class TestClock {
  constructor(private current: Date) {}
  now = (): Date => new Date(this.current);
  set(instant: Date | string): void {
    this.current = new Date(instant);
  }
}

export { TEST_IDENTITY_SECRET } from './config.ts';

/**
 * The use cases' context over a test database, as the production composition builds it
 * (test/support/services.ts): mail to .eml files in a temporary outbox (tests that read codes
 * by mail pass `overrides.mailer` with the in-process SMTP server), the embedded registry,
 * in-memory attempt limits (generous, so that only tests about limits meet them). One per
 * database and clock.
 */
export function testContext(db: Db, clock: TestClock, overrides: PortOverrides = {}): AppContext {
  return testServices(db, clock, overrides).ctx;
}

/** An email proof the test knows the code of, as if the applicant had read the message. */
export function knownEmailProof(ctx: AppContext, email: string, purpose: EmailCodePurpose = 'booking') {
  return presetEmailProof(ctx, email, purpose, '24681357');
}

const uniqueSuffix = () => randomBytes(4).toString('hex');

export interface ScenarioOptions {
  prefectureId?: string;
  timeZone?: string;
  counters?: number;
  procedure?: Partial<{ identityProof: 'agdref' | 'passport'; channel: 'appointment' | 'postal' | 'online' }>;
}

/** A prefecture with one site, `counters` counters and one procedure. */
export async function createScenario(db: Db, options: ScenarioOptions = {}) {
  const suffix = uniqueSuffix();
  const prefectureId = options.prefectureId ?? '93';
  await db
    .insertInto('prefecture')
    .values({ id: prefectureId, name: `Préfecture ${prefectureId}`, time_zone: options.timeZone ?? 'Europe/Paris' })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const siteId = `site-${suffix}`;
  await db
    .insertInto('site')
    .values({
      id: siteId,
      prefecture_id: prefectureId,
      kind: 'prefecture',
      name: `Site ${suffix}`,
      address: '1 rue de la Préfecture',
    })
    .execute();
  const counterIds: string[] = [];
  for (let i = 0; i < (options.counters ?? 2); i++) {
    const id = `counter-${suffix}-${i}`;
    await db
      .insertInto('counter')
      .values({ id, site_id: siteId, name: `Guichet ${i + 1}` })
      .execute();
    counterIds.push(id);
  }
  const procedureId = `proc-${suffix}`;
  await db
    .insertInto('procedure')
    .values({
      id: procedureId,
      name_fr: 'Renouvellement',
      name_en: 'Renewal',
      slot_minutes: 30,
      identity_proof: options.procedure?.identityProof ?? 'passport',
      channel: options.procedure?.channel ?? 'appointment',
    })
    .execute();

  return {
    prefectureId,
    siteId,
    counterIds,
    procedureId,
    /**
     * Released slots starting at `firstStart`, every 30 min, cycling over the counters — open
     * to first-come booking, as if a draw had found nobody waiting for them (`drawFirst: true`
     * leaves them awaiting their first draw, as released slots are).
     */
    async addSlots(
      count: number,
      firstStart: Date,
      options: { releasedAt?: Date; drawFirst?: boolean } = {},
    ): Promise<string[]> {
      const releasedAt = options.releasedAt ?? new Date(firstStart.getTime() - 30 * 86_400_000);
      const rows = Array.from({ length: count }, (_, i) => {
        const counterIndex = i % counterIds.length;
        const step = Math.floor(i / counterIds.length);
        const startsAt = new Date(firstStart.getTime() + step * 30 * 60_000);
        return {
          site_id: siteId,
          counter_id: counterIds[counterIndex]!,
          procedure_id: procedureId,
          starts_at: startsAt,
          ends_at: new Date(startsAt.getTime() + 30 * 60_000),
          local_date: startsAt.toISOString().slice(0, 10),
          released_at: releasedAt,
          opened_at: options.drawFirst ? null : releasedAt,
        };
      });
      const ids: string[] = [];
      for (let i = 0; i < rows.length; i += 1000) {
        const inserted = await db
          .insertInto('slot')
          .values(rows.slice(i, i + 1000))
          .returning('id')
          .execute();
        ids.push(...inserted.map((r) => r.id));
      }
      return ids;
    },
  };
}

let applicantCounter = 0;
/** A distinct applicant each call (passport-based unless overridden). */
export function applicant(overrides: Partial<ApplicantIdentity> = {}): ApplicantIdentity {
  applicantCounter++;
  return {
    surname: 'Diallo',
    givenNames: 'Aminata',
    birthDate: '1990-04-12',
    nationality: 'SEN',
    email: `aminata.${uniqueSuffix()}${applicantCounter}@example.org`,
    passportNumber: `P${uniqueSuffix().toUpperCase()}${applicantCounter}`,
    ...overrides,
  };
}

/** `person` (a new applicant by default) books `slotId` online: the appointment and its management token. */
export async function bookedOnline(ctx: AppContext, slotId: string, person: ApplicantIdentity = applicant()) {
  const { confirmation } = await bookSlot(ctx, {
    slotId,
    applicant: person,
    emailProof: await knownEmailProof(ctx, person.email),
  });
  return { person, token: confirmation.managementToken, appointment: confirmation.appointment };
}
