// Scenario builders for the public numbers: requests, appointments, draws and offers written
// straight into the tables at chosen instants (the figures are about when things happened,
// which the use cases would stamp with the clock), within the database's own invariants.
import type { Db } from '../../src/adapters/db/database.ts';

export const DAY_MS = 86_400_000;

let serial = 0;
const next = () => `${process.pid}-${++serial}`;

/** "2026-06-25" minus `days`, at noon in Paris. */
export const noonParis = (date: string, minusDays = 0) =>
  new Date(Date.parse(`${date}T10:00:00Z`) - minusDays * DAY_MS);

export async function request(
  db: Db,
  s: { prefectureId: string; procedureId: string; siteId: string },
  values: {
    filedAt: Date;
    status?: 'waiting' | 'booked' | 'withdrawn' | 'closed';
    closedAt?: Date | null;
    urgencyDate?: string | null;
    urgencySource?: 'registry' | 'declared' | null;
    urgencyStatus?: 'none' | 'pending' | 'confirmed' | 'refused';
  },
): Promise<{ id: string; identityKey: string }> {
  const n = next();
  const row = await db
    .insertInto('allocation_request')
    .values({
      reference: `REQ-${n}`,
      prefecture_id: s.prefectureId,
      procedure_id: s.procedureId,
      status: values.status ?? 'waiting',
      site_ids: [s.siteId],
      surname: 'Person',
      given_names: 'Test',
      birth_date: '1990-01-01',
      nationality: 'MLI',
      email: `p${n}@example.test`,
      email_key: `email-key-${n}`,
      passport_number: `P${n}`,
      identity_key: `identity-${n}`,
      management_token_hash: `token-${n}`,
      filed_at: values.filedAt,
      updated_at: values.filedAt,
      queued_on: values.filedAt.toISOString().slice(0, 10),
      closed_at: values.closedAt ?? null,
      urgency_date: values.urgencyDate ?? null,
      urgency_source: values.urgencySource ?? null,
      urgency_status: values.urgencyStatus ?? 'none',
    })
    .returning(['id', 'identity_key'])
    .executeTakeFirstOrThrow();
  return { id: row.id, identityKey: row.identity_key };
}

/**
 * A request held for a fraud check at `heldAt` (its observation and its state, as
 * app/fraud writes them), and refused at `refusedAt` if given (closed then).
 */
export async function heldForFraud(
  db: Db,
  prefectureId: string,
  requestId: string,
  heldAt: Date,
  refusedAt?: Date,
): Promise<void> {
  const reasons = JSON.stringify([{ kind: 'identity_refused', count: 1, points: 60 }]);
  await db
    .insertInto('fraud_observation')
    .values({
      prefecture_id: prefectureId,
      request_id: requestId,
      at: heldAt,
      event: 'filed',
      score: 60,
      reasons,
      held: true,
    })
    .execute();
  await db
    .updateTable('allocation_request')
    .set({
      review_state: refusedAt ? 'refused' : 'held',
      held_at: heldAt,
      lapses_at: new Date(heldAt.getTime() + 72 * 3_600_000),
      fraud_score: 60,
      review_decided_at: refusedAt ?? null,
      review_reason: refusedAt ? 'Refused after the check' : null,
      ...(refusedAt ? { status: 'closed' as const, closed_at: refusedAt } : {}),
    })
    .where('id', '=', requestId)
    .execute();
}

export async function appointment(
  db: Db,
  s: { procedureId: string; siteId: string },
  slotId: string,
  values: { createdAt: Date; status?: 'booked' | 'served' | 'no_show' | 'cancelled'; identityKey?: string },
): Promise<string> {
  const n = next();
  const row = await db
    .insertInto('appointment')
    .values({
      reference: `APT-${n}`,
      slot_id: slotId,
      procedure_id: s.procedureId,
      site_id: s.siteId,
      status: values.status ?? 'booked',
      surname: 'Person',
      given_names: 'Test',
      birth_date: '1990-01-01',
      nationality: 'MLI',
      email: `a${n}@example.test`,
      email_key: `a-email-key-${n}`,
      passport_number: `A${n}`,
      identity_key: values.identityKey ?? `a-identity-${n}`,
      management_token_hash: `a-token-${n}`,
      created_at: values.createdAt,
      updated_at: values.createdAt,
      cancelled_at: values.status === 'cancelled' ? values.createdAt : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function draw(db: Db, prefectureId: string, procedureId: string, tick: Date): Promise<string> {
  const row = await db
    .insertInto('draw')
    .values({
      prefecture_id: prefectureId,
      procedure_id: procedureId,
      tick,
      trigger: 'manual',
      allocation_order: 'fifo',
      seed: 'seed',
      input_digest: 'in',
      result_digest: 'out',
      input_snapshot: new Uint8Array([1]),
      requests_count: 0,
      slots_count: 0,
      assigned_count: 0,
      started_at: tick,
      finished_at: tick,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** An appointment booked through an offer of `drawId`: pending first (the database lets only its owner book the slot), then confirmed. */
export async function bookedThroughOffer(
  db: Db,
  s: { procedureId: string; siteId: string },
  drawId: string,
  req: { id: string; identityKey: string },
  slotId: string,
  at: Date,
  status: 'booked' | 'served' | 'no_show' = 'booked',
): Promise<void> {
  const offer = await db
    .insertInto('offer')
    .values({
      draw_id: drawId,
      request_id: req.id,
      slot_id: slotId,
      expires_at: new Date(at.getTime() + DAY_MS),
      created_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const appointmentId = await appointment(db, s, slotId, { createdAt: at, identityKey: req.identityKey });
  if (status !== 'booked')
    await db.updateTable('appointment').set({ status }).where('id', '=', appointmentId).execute();
  await db
    .updateTable('offer')
    .set({ status: 'confirmed', decided_at: at, appointment_id: appointmentId })
    .where('id', '=', offer.id)
    .execute();
}
