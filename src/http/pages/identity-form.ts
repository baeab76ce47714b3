// The applicant's identity as typed in the booking form: read from the body, checked field
// by field with the API's own shapes (src/http/schemas.ts) and the domain's rules, so that
// each mistake is shown next to its field before any code is sent.
import type { TFunction } from 'i18next';
import { assertPlausibleBirthDate } from '../../domain/booking-rules.ts';
import { normalisePhoneNumber } from '../../domain/callback-rules.ts';
import {
  type ApplicantIdentity,
  type IdentityProof,
  normaliseAgdref,
  normalisePassport,
} from '../../domain/identity.ts';
import { ApplicantSchema } from '../schemas.ts';
import type { FieldError } from './page-forms.ts';

export const IDENTITY_FIELDS = [
  'surname',
  'givenNames',
  'birthDate',
  'nationality',
  'email',
  'agdrefNumber',
  'passportNumber',
] as const;
export type IdentityField = (typeof IDENTITY_FIELDS)[number];
/**
 * How the person may be reached besides email, asked by the public booking form only: an
 * optional mobile number for text messages, and the box "no text messages" ('1' when ticked).
 */
export const CONTACT_FIELDS = ['phone', 'noTextMessages'] as const;
export type ContactField = (typeof CONTACT_FIELDS)[number];
/** What was typed, field by field ('' when absent); it rides in hidden fields between steps. */
export type IdentityInput = Record<IdentityField | ContactField, string>;

/** The fields a procedure asks for: the common ones and its identity proof. */
export function identityFieldsFor(proof: IdentityProof): IdentityField[] {
  return IDENTITY_FIELDS.filter((f) => f !== (proof === 'agdref' ? 'passportNumber' : 'agdrefNumber'));
}

export function identityInputOf(form: Record<string, string>): IdentityInput {
  const input = {} as IdentityInput;
  for (const field of [...IDENTITY_FIELDS, ...CONTACT_FIELDS]) input[field] = (form[field] ?? '').trim().slice(0, 300);
  input.noTextMessages = input.noTextMessages === '' ? '' : '1';
  return input;
}

const SHAPES = ApplicantSchema.shape;

/** A birth date as people type it: "12/04/1990", "12.04.1990", "12-04-1990" or "1990-04-12" → "1990-04-12"; null otherwise. */
export function birthDateOf(typed: string): string | null {
  const dayFirst = /^(\d{1,2})[/.\s-](\d{1,2})[/.\s-](\d{4})$/.exec(typed.trim());
  const iso = dayFirst
    ? `${dayFirst[3]}-${dayFirst[2]!.padStart(2, '0')}-${dayFirst[1]!.padStart(2, '0')}`
    : typed.trim();
  return SHAPES.birthDate.safeParse(iso).success ? iso : null;
}

/** Is the typed value acceptable for this field? */
function isValid(field: IdentityField, value: string, now: Date): boolean {
  switch (field) {
    case 'surname':
    case 'givenNames':
      return SHAPES[field].safeParse(value).success;
    case 'birthDate': {
      const date = birthDateOf(value);
      if (!date) return false;
      try {
        assertPlausibleBirthDate(date, now);
        return true;
      } catch {
        return false;
      }
    }
    case 'nationality':
      return SHAPES.nationality.safeParse(value).success;
    case 'email':
      return SHAPES.email.safeParse(value).success;
    case 'agdrefNumber':
      return normaliseAgdref(value) !== null;
    case 'passportNumber':
      return normalisePassport(value) !== null;
  }
}

export interface CheckedIdentity {
  applicant: ApplicantIdentity | null;
  /** Field errors, in the order of the form. */
  errors: FieldError[];
}

/**
 * Checks every field the procedure asks for; `t` is the booking namespace's. `contact`: the
 * form also asked for the optional phone number (the public booking form), checked and kept.
 */
export function checkIdentity(
  input: IdentityInput,
  proof: IdentityProof,
  now: Date,
  t: TFunction,
  { contact = false }: { contact?: boolean } = {},
): CheckedIdentity {
  const errors: FieldError[] = [];
  for (const field of identityFieldsFor(proof)) {
    const value = input[field];
    if (value === '') errors.push({ field, message: t(`field.${field}.missing`) });
    else if (!isValid(field, value, now)) errors.push({ field, message: t(`field.${field}.invalid`) });
  }
  const phone = contact && input.phone !== '' ? normalisePhoneNumber(input.phone) : null;
  if (contact && input.phone !== '' && phone === null)
    errors.push({ field: 'phone', message: t('field.phone.invalid') });
  if (errors.length > 0) return { applicant: null, errors };
  const applicant: ApplicantIdentity = {
    surname: input.surname,
    givenNames: input.givenNames,
    birthDate: birthDateOf(input.birthDate)!,
    nationality: input.nationality.toUpperCase(),
    email: input.email,
    ...(proof === 'agdref' ? { agdrefNumber: input.agdrefNumber } : { passportNumber: input.passportNumber }),
    ...(phone ? { phone, textMessages: input.noTextMessages !== '1' } : {}),
  };
  return { applicant, errors };
}

/** Errors by field, for the templates (`errorsByField.surname`). */
export function errorsByField(errors: FieldError[]): Record<string, string> {
  const byField: Record<string, string> = {};
  for (const error of errors) if (error.field && !byField[error.field]) byField[error.field] = error.message;
  return byField;
}
