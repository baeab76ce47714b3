// Check-in at the counter: find the appointment of a scanned or typed convocation, show the
// identity to compare with the ID document, and move it along (arrived, served, no-show).
//   * findForCheckIn: the convocation verified for this agent (uniform CONVOCATION_INVALID
//     for anything wrong, another prefecture's or site's included), then its appointment id;
//   * viewCheckIn: the appointment by id, for the agent's sites only (same uniform refusal);
//   * changeAppointmentStatus: the transition (domain/agenda-rules.ts), or the undo of the
//     last one, applied as one conditional UPDATE and audited in the same transaction.

import {
  auditActionOf,
  availableActions,
  type CheckInAction,
  type CheckInCommand,
  canRefuseIdentity,
  canUndo,
  type NoArrivalReason,
  transitionFor,
  undoFor,
  whyNoArrival,
} from '../../domain/agenda-rules.ts';
import { type AgentScope, can, canAccessSite } from '../../domain/agent-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import type { CheckInAppointment } from '../../ports/agenda-store.ts';
import type { Agent } from '../../ports/agent-store.ts';
import { recordAudit } from '../audit/record-audit.ts';
import {
  type ConvocationProof,
  type VerificationOrigin,
  verifyConvocation,
} from '../convocations/verify-convocation.ts';
import { fraudThresholdsOf } from '../fraud/filing-signals.ts';
import { rescoreAround } from '../fraud/score-requests.ts';
import { possibleDuplicateAppointments } from '../review/likely-duplicates.ts';
import type { AgendaContext } from './agenda-context.ts';

export interface CheckInView {
  appointment: CheckInAppointment;
  /** The buttons to show now. */
  actions: CheckInAction[];
  /** Whether the last step may be taken back (same day). */
  canUndo: boolean;
  /** Why arrival cannot be recorded now (another day, cancelled, done), or null. */
  noArrival: NoArrivalReason | null;
  /** The person also looks booked or queued under another identity document (flag only). */
  possibleDuplicate: boolean;
  /** Whether "identity refused" (not the person convoked) may be recorded now. */
  canRefuseIdentity: boolean;
}

/** The appointment id of a valid convocation the agent may check in. */
export async function findForCheckIn(
  ctx: AgendaContext,
  agent: AgentScope,
  proof: ConvocationProof,
  origin: VerificationOrigin,
): Promise<string> {
  return (await verifyConvocation(ctx.convocations, agent, proof, origin)).id;
}

export async function scopedAppointment(
  ctx: AgendaContext,
  agent: AgentScope,
  id: string,
): Promise<CheckInAppointment> {
  if (!can(agent, 'checkin.write')) throw new DomainError('FORBIDDEN_SCOPE');
  const appointment = await ctx.agenda.findCheckInAppointment(id);
  // Another prefecture's or site's appointment looks exactly like an unknown one.
  if (!appointment || !canAccessSite(agent, { id: appointment.siteId, prefectureId: appointment.prefectureId })) {
    throw new DomainError('CONVOCATION_INVALID');
  }
  return appointment;
}

export async function viewCheckIn(ctx: AgendaContext, agent: AgentScope, id: string): Promise<CheckInView> {
  const appointment = await scopedAppointment(ctx, agent, id);
  const now = ctx.clock.now();
  const possibleDuplicate = ctx.review
    ? (
        await possibleDuplicateAppointments({ review: ctx.review, clock: ctx.clock }, agent, appointment.prefectureId, [
          appointment.id,
        ])
      ).has(appointment.id)
    : false;
  return {
    appointment,
    actions: availableActions(appointment, now),
    canUndo: canUndo(appointment, now),
    noArrival: whyNoArrival(appointment, now),
    possibleDuplicate,
    canRefuseIdentity: canRefuseIdentity(appointment, now),
  };
}

export async function changeAppointmentStatus(
  ctx: AgendaContext,
  agent: Agent,
  id: string,
  command: CheckInCommand,
  origin: { ip: string | null },
): Promise<CheckInView> {
  const appointment = await scopedAppointment(ctx, agent, id);
  const now = ctx.clock.now();
  const undo = command === 'undo';
  const { from, to } = undo ? undoFor(appointment, now) : transitionFor(command, appointment, now);
  await ctx.agenda.transaction(async (tx) => {
    // Another agent may have moved it since the read: the UPDATE only applies from `from`.
    if (!(await tx.transitionAppointment(id, from, to, now, agent.id, { undo }))) {
      throw new DomainError('APPOINTMENT_STATUS_CONFLICT', undefined, { action: command });
    }
    await recordAudit(tx, {
      agent,
      prefectureId: appointment.prefectureId,
      action: auditActionOf(command),
      at: now,
      ip: origin.ip,
      target: { type: 'appointment', id },
      before: { status: from, reference: appointment.reference },
      after: { status: to, reference: appointment.reference },
    });
    // A no-show counts against the requests around it (its document, email, phone, network).
    if (to === 'no_show' && !undo)
      await rescoreAround(tx, fraudThresholdsOf(ctx), { kind: 'appointment', id }, 'no_show', now);
  });
  return viewCheckIn(ctx, agent, id);
}
