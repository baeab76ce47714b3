// An appointment as the pages show it: the use case's view, with the name and address of its
// site and its procedure (what to bring).

import type { FastifyRequest } from 'fastify';
import type { AppointmentDetails } from '../../app/booking/view-appointment-details.ts';
import { assertDirectlyBookable, assertManageable } from '../../domain/booking-rules.ts';
import { isConvocationHonoured } from '../../domain/convocation.ts';
import { whatToBring } from '../../domain/what-to-bring.ts';
import type { Language } from '../../i18n/i18n.ts';
import type { Procedure } from '../../ports/booking-store.ts';
import { languageOf } from '../web/render.ts';

export type { AppointmentDetails };

export function procedureName(procedure: Pick<Procedure, 'nameFr' | 'nameEn'>, lang: Language): string {
  return lang === 'fr' ? procedure.nameFr : procedure.nameEn;
}

/** What to bring, in the page's language. */
export function procedureInstructions(
  procedure: Pick<Procedure, 'instructionsFr' | 'instructionsEn'>,
  lang: Language,
): string {
  return lang === 'fr' ? procedure.instructionsFr : procedure.instructionsEn;
}

/** What to bring, for the PDF convocation (no template): domain/what-to-bring.ts. */
export function bringListOf(
  procedure: Pick<Procedure, 'instructionsFr' | 'instructionsEn' | 'identityProof'>,
  t: (key: string) => string,
  lang: Language,
): { title: string; items: string[] } {
  return whatToBring(
    { instructions: procedureInstructions(procedure, lang), identityProof: procedure.identityProof },
    t,
  );
}

/** What the appointment page and the confirmation page show about an appointment. */
export function appointmentData(request: FastifyRequest, details: AppointmentDetails) {
  const lang = languageOf(request);
  const { appointment, procedure, asOf: now, maxReschedules } = details;
  const subject = {
    status: appointment.status,
    startsAt: new Date(appointment.startsAt),
    endsAt: new Date(appointment.endsAt),
    timeZone: appointment.timeZone,
    rescheduleCount: appointment.rescheduleCount,
  };
  const changeable = passes(() => assertManageable(subject, now));
  return {
    ...details,
    procedureName: procedureName(procedure, lang),
    instructions: procedureInstructions(procedure, lang),
    canPrint: isConvocationHonoured(subject, now),
    canCancel: changeable,
    canReschedule:
      changeable && appointment.rescheduleCount < maxReschedules && passes(() => assertDirectlyBookable(procedure)),
    reschedulesLeft: Math.max(0, maxReschedules - appointment.rescheduleCount),
  };
}

function passes(rule: () => void): boolean {
  try {
    rule();
    return true;
  } catch {
    return false;
  }
}
