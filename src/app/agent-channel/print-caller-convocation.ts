// The convocation of an appointment found by the search, to print for the caller (at the
// counter, or to post): the signed QR code and short code of app/convocations/, issued again
// (the token is derived from the appointment: the same one each time), with the site and the
// procedure's instructions. Only for an appointment still booked; any agent of its prefecture.
import type { AgentScope } from '../../domain/agent-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import type { Procedure, Site } from '../../ports/booking-store.ts';
import { type IssuedConvocation, issueConvocation } from '../convocations/issue-convocation.ts';
import type { AgentChannelContext } from './agent-channel-context.ts';
import { appointmentInScope } from './open-caller-appointment.ts';
import type { FoundCaller } from './search-callers.ts';

export interface CallerConvocation {
  appointment: FoundCaller;
  convocation: IssuedConvocation;
  site: Site;
  procedure: Procedure;
}

export async function printCallerConvocation(
  ctx: AgentChannelContext,
  agent: AgentScope,
  id: string,
): Promise<CallerConvocation> {
  const appointment = await appointmentInScope(ctx, agent, id);
  if (appointment.status !== 'booked')
    throw new DomainError('APPOINTMENT_NOT_ACTIVE', undefined, { status: appointment.status });
  const [site, procedure] = await Promise.all([
    ctx.store.getSite(appointment.siteId!),
    ctx.store.getProcedure(appointment.procedureId),
  ]);
  if (!site || !procedure) throw new DomainError('APPOINTMENT_NOT_FOUND');
  const convocation = await issueConvocation(ctx.signer, {
    id: appointment.id,
    reference: appointment.reference,
    endsAt: appointment.endsAt!,
    timeZone: appointment.timeZone,
  });
  return { appointment, convocation, site, procedure };
}
