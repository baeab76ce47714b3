// The agenda feature's use cases, bound to their ports: the day's agenda, check-in at the
// counter (a convocation scanned or typed, then the appointment's status) and the no-show
// statistics.
import { verifyConvocation } from '../convocations/verify-convocation.ts';
import { bindUseCases } from '../shared/use-cases.ts';
import type { AgendaContext } from './agenda-context.ts';
import { changeAppointmentStatus, findForCheckIn, viewCheckIn } from './check-in.ts';
import { daySummary } from './day-summary.ts';
import { noShowStatistics } from './no-show-statistics.ts';
import { refuseIdentity } from './refuse-identity.ts';
import { viewAgenda } from './view-agenda.ts';

export const agendaUseCases = (ctx: AgendaContext) => ({
  ...bindUseCases(ctx, {
    viewAgenda,
    daySummary,
    findForCheckIn,
    viewCheckIn,
    changeAppointmentStatus,
    refuseIdentity,
    noShowStatistics,
  }),
  // The API's check of a convocation at the counter: the same verification as findForCheckIn's.
  ...bindUseCases(ctx.convocations, { verifyConvocation }),
});

export type AgendaUseCases = ReturnType<typeof agendaUseCases>;
