// What to bring to the prefecture, the same list everywhere (issue 15, item 3): the procedure's
// own instructions, the identity document it checks, and — for an appointment — the
// convocation. The pages list it with the partial what-to-bring.eta; the PDF convocation and the
// messages use this function, so that a procedure's list never differs between them.
import type { IdentityProof } from './identity.ts';

export interface ThingsToBring {
  /** The procedure's own instructions in the reader's language ('' when it has none). */
  instructions: string;
  identityProof: IdentityProof;
}

/** The list's title and items, in the language of `t` (keys of the common namespace). */
export function whatToBring(
  bring: ThingsToBring,
  t: (key: string) => string,
  forAppointment = true,
): { title: string; items: string[] } {
  return {
    title: t('common:bring.title'),
    items: [
      ...(bring.instructions ? [bring.instructions] : []),
      t(bring.identityProof === 'agdref' ? 'common:bring.agdref' : 'common:bring.passport'),
      ...(forAppointment ? [t('common:bring.convocation')] : []),
    ],
  };
}
