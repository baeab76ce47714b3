// "Identity refused" at the counter (issue 16 §3): the person who came is not the one convoked.
// In one transaction: the appointment cancelled from its current status (booked or arrived; a
// conditional UPDATE — of two agents, one wins), its slot freed as a cancellation frees it,
// identity_refused_at recorded, the audit 'appointment.identity_refused', and the live requests
// sharing its document, email, phone or network scored again (the strongest signal: one
// refusal alone reaches the hold score by default).
import { IDENTITY_REFUSED, identityRefusalFor } from '../../domain/agenda-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import type { Agent } from '../../ports/agent-store.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { fraudThresholdsOf } from '../fraud/filing-signals.ts';
import { rescoreAround } from '../fraud/score-requests.ts';
import type { AgendaContext } from './agenda-context.ts';
import { type CheckInView, scopedAppointment, viewCheckIn } from './check-in.ts';

export async function refuseIdentity(
  ctx: AgendaContext,
  agent: Agent,
  id: string,
  origin: { ip: string | null },
): Promise<CheckInView> {
  const appointment = await scopedAppointment(ctx, agent, id);
  const now = ctx.clock.now();
  const { from } = identityRefusalFor(appointment, now);
  await ctx.agenda.transaction(async (tx) => {
    if (!(await tx.refuseIdentity(id, from, now, agent.id)))
      throw new DomainError('APPOINTMENT_STATUS_CONFLICT', undefined, { action: IDENTITY_REFUSED });
    await recordAudit(tx, {
      agent,
      prefectureId: appointment.prefectureId,
      action: `appointment.${IDENTITY_REFUSED}`,
      at: now,
      ip: origin.ip,
      target: { type: 'appointment', id },
      before: { status: from, reference: appointment.reference },
      after: { status: 'cancelled', reference: appointment.reference, identityRefused: true },
    });
    await rescoreAround(tx, fraudThresholdsOf(ctx), { kind: 'appointment', id }, 'identity_refused', now);
  });
  return viewCheckIn(ctx, agent, id);
}
