// The languages Créneau speaks to applicants. French is the default (and the fallback of every
// translation); an applicant's choice is stored with the appointment or request, so that later
// messages (reminders, offers, cancellations) go out in the same language.
export const LANGUAGES = ['fr', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'fr';
