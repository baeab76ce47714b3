// An appointment as the pages show it: the use case's view, with the name and address of its
// site and its procedure (what to bring).

import type { FastifyRequest } from 'fastify';
import type { AppointmentDetails } from '../../app/booking/view-appointment-details.ts';
import { assertDirectlyBookable, assertManageable } from '../../domain/booking-rules.ts';
import { isConvocationHonoured } from '../../domain/convocation.ts';
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

/**
 * What to bring, as the partial what-to-bring.eta lists it (for the PDF convocation, which is no
 * template): the procedure's own instructions, its identity document, the convocation.
 */
export function whatToBring(
  procedure: Pick<Procedure, 'instructionsFr' | 'instructionsEn' | 'identityProof'>,
  t: (key: string) => string,
  lang: Language,
): { title: string; items: string[] } {
  const instructions = procedureInstructions(procedure, lang);
  return {
    title: t('common:bring.title'),
    items: [
      ...(instructions ? [instructions] : []),
      t(procedure.identityProof === 'agdref' ? 'common:bring.agdref' : 'common:bring.passport'),
      t('common:bring.convocation'),
    ],
  };
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
