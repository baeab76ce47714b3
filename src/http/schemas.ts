// Shapes of what the API accepts and returns. Validation of form lives here; rules of
// substance (identity proof per procedure, ranges, caps) live in domain/ and app/.
import { z } from 'zod';
import { APPOINTMENT_STATUSES } from '../domain/agenda-rules.ts';
import { isCalendarDate } from '../domain/calendar-date.ts';
import { normalisePhoneNumber } from '../domain/callback-rules.ts';
import { isCountryCode } from '../domain/countries.ts';
import { DEPARTEMENT_CODE_PATTERN, SLUG_PATTERN, UUID_PATTERN } from '../domain/identifiers.ts';
import { DEFAULT_LANGUAGE, LANGUAGES } from '../domain/language.ts';

export const Slug = z.string().regex(SLUG_PATTERN, 'lowercase letters, digits and dashes');
/** Documented as format "uuid"; refused as "Invalid UUID". */
export const Uuid = z.stringFormat('uuid', UUID_PATTERN);
export const DepartementCode = z.string().regex(DEPARTEMENT_CODE_PATTERN, 'a département code such as 93, 2A or 973');
// zod's ISO date gives the OpenAPI format and the "Invalid ISO date" message; the calendar
// (domain/calendar-date.ts) decides. ISO 8601 has a year 0000; PostgreSQL's date type does not.
export const LocalDate = z.iso.date().refine(isCalendarDate, 'a date from year 0001 on');
const PersonName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[\p{L}\p{M}][\p{L}\p{M}' .’-]*$/u, 'letters, spaces, apostrophes and dashes only');

export const ApplicantSchema = z
  .object({
    surname: PersonName,
    givenNames: PersonName,
    birthDate: LocalDate,
    nationality: z
      .string()
      .regex(/^[A-Za-z]{3}$/, 'ISO 3166-1 alpha-3 code, e.g. SEN')
      .refine((code) => isCountryCode(code.toUpperCase()), 'not an ISO 3166-1 alpha-3 code (MLI for Mali, not MAL)'),
    email: z.email().max(254),
    agdrefNumber: z.string().max(20).optional(),
    passportNumber: z.string().max(30).optional(),
    phone: z
      .string()
      .max(32)
      .refine((typed) => typed.trim() === '' || normalisePhoneNumber(typed) !== null, {
        message: 'a phone number: 06 12 34 56 78, +33 6 12 34 56 78 or +221 77 123 45 67',
      })
      .optional()
      .describe(
        'Optional. The confirmation, the reminder 48 h before, offers and closures are also sent to it by text message, with the link to /manage/find (never the management token).',
      ),
    textMessages: z
      .boolean()
      .optional()
      .describe('false: no text message to `phone`, now or later (as if it answered STOP). Default true.'),
    documentCountry: z
      .string()
      .regex(/^[A-Za-z]{3}$/, 'ISO 3166-1 alpha-3 code, e.g. SEN')
      .optional()
      .describe(
        'Country that issued the passport (the nationality when absent). The document is the identity: the same document with other names, birth date or nationality is refused (IDENTITY_MISMATCH).',
      ),
  })
  .strict();

/** The 8-digit code from POST /api/email-verifications; a malformed one is refused as EMAIL_CODE_INVALID, like a wrong one. */
export const EmailCodeProof = z
  .object({
    verificationId: z.string().max(64),
    code: z.string().max(32).describe('The 8 digits received by email; spaces and dashes are ignored ("1234 5678").'),
  })
  .strict();
/** The language of the applicant's emails (and of every later message about the booking or request). */
export const LanguageSchema = z
  .enum(LANGUAGES)
  .default(DEFAULT_LANGUAGE)
  .describe('Language of the emails: "fr" (default) or "en"');
/** The ALTCHA widget's solution (base64 JSON); checked before the use case runs. */
const AltchaSolution = z.string().max(4096).optional().describe('Solution of GET /api/pow/challenge (ALTCHA payload)');

export const BookingRequest = z
  .object({
    slotId: Uuid,
    applicant: ApplicantSchema,
    emailVerification: EmailCodeProof,
    altcha: AltchaSolution,
    language: LanguageSchema,
  })
  .strict();
export const RescheduleRequest = z
  .object({ slotId: Uuid, emailVerification: EmailCodeProof, altcha: AltchaSolution })
  .strict();

export const FreeSlotsQuery = z
  .object({
    procedureId: Slug,
    siteIds: z
      .string()
      .max(1000)
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .pipe(z.array(Slug).min(1).max(20)),
    from: LocalDate,
    to: LocalDate,
    limit: z.coerce.number().int().min(1).max(2000).default(500),
  })
  .strict();

export const PrefectureSchema = z.object({
  id: z.string(),
  name: z.string(),
  timeZone: z.string(),
  phone: z.string().nullable(),
});
export const SiteSchema = z.object({
  id: z.string(),
  prefectureId: z.string(),
  kind: z.enum(['prefecture', 'sub_prefecture', 'antenna']),
  name: z.string(),
  address: z.string(),
  phone: z.string().nullable(),
  publicHours: z.string().nullable(),
});
export const ProcedureSchema = z.object({
  id: z.string(),
  nameFr: z.string(),
  nameEn: z.string(),
  descriptionFr: z.string(),
  descriptionEn: z.string(),
  slotMinutes: z.number(),
  identityProof: z.enum(['agdref', 'passport']),
  channel: z.enum(['appointment', 'postal', 'online']),
  releaseDaysAhead: z.number(),
  releaseTime: z.string(),
  instructionsFr: z.string(),
  instructionsEn: z.string(),
  registryCheck: z.boolean(),
  renewalWindow: z.object({ startMonths: z.number(), endMonths: z.number() }).nullable(),
  alternativeProcedureId: z.string().nullable(),
  allocation: z.object({
    offerHours: z.number(),
    maxIgnoredOffers: z.number(),
    maxDeclines: z.number(),
    urgentWithinDays: z.number(),
  }),
});
export const FreeSlotSchema = z.object({
  slotId: z.string(),
  siteId: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  localDate: z.string(),
  localTime: z.string(),
  freeCounters: z.number(),
});
export const AppointmentSchema = z.object({
  reference: z.string(),
  status: z.enum(APPOINTMENT_STATUSES),
  procedureId: z.string(),
  siteId: z.string(),
  slotId: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  timeZone: z.string(),
  applicant: z.object({
    surname: z.string(),
    givenNames: z.string(),
    birthDate: z.string(),
    nationality: z.string(),
    email: z.string().nullable().describe('Null for a phone or counter booking of someone without email'),
  }),
  rescheduleCount: z.number(),
});
export const BookingResponse = z.object({ appointment: AppointmentSchema, managementToken: z.string() });

export const ProblemSchema = z
  .object({ type: z.string(), title: z.string(), status: z.number(), code: z.string(), detail: z.string() })
  .loose()
  .describe('RFC 9457 problem details; `code` is stable (see /api/errors)');
