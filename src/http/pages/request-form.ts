// The availability part of an appointment request, as typed in a form: acceptable sites,
// weekdays, half-days, and the expiry date that makes a request urgent. Read from the body
// (checkboxes repeat their name), checked with the domain's own rules before any code is
// sent, and shown again — checked boxes kept — when something is refused. Shared by the
// filing form (/request) and the change form (/my-request).
import type { FastifyRequest } from 'fastify';
import type { TFunction } from 'i18next';
import type { RequestTarget } from '../../app/requests/find-request-target.ts';
import type { DomainError } from '../../domain/errors.ts';
import { assertUrgencyDate, normalisePreferences, type Preferences } from '../../domain/request-rules.ts';
import { LocalDate } from '../schemas.ts';
import { type FieldError, refusalOf } from './page-forms.ts';

export const PREFERENCE_FIELDS = ['siteIds', 'weekdays', 'halfDays'] as const;
type PreferenceField = (typeof PREFERENCE_FIELDS)[number];

/** What was typed: the boxes ticked, and the expiry date ('' when none). */
export interface PreferencesInput {
  siteIds: string[];
  weekdays: string[];
  halfDays: string[];
  urgencyDate: string;
}

export type { RequestTarget };

/** The values of a repeated field (checkboxes), as strings. */
function listOf(body: Record<string, unknown>, name: string): string[] {
  const value = body[name];
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values
    .filter((v): v is string => typeof v === 'string')
    .slice(0, 30)
    .map((v) => v.slice(0, 64));
}

export function preferencesInputOf(request: FastifyRequest): PreferencesInput {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const urgencyDate = listOf(body, 'urgencyDate')[0] ?? '';
  return {
    siteIds: listOf(body, 'siteIds'),
    weekdays: listOf(body, 'weekdays'),
    halfDays: listOf(body, 'halfDays'),
    urgencyDate: urgencyDate.trim(),
  };
}

/** A stored request's preferences, as the change form shows them. */
export function preferencesInputFrom(preferences: Preferences, urgencyDate: string | null): PreferencesInput {
  return {
    siteIds: preferences.siteIds,
    weekdays: preferences.weekdays.map(String),
    halfDays: preferences.halfDays,
    urgencyDate: urgencyDate ?? '',
  };
}

/**
 * The form field a refusal of the preference rules concerns, if any: the domain names them
 * by path ("preferences.weekdays", "urgencyDate"), SITE_NOT_FOUND concerns the sites.
 */
export function preferenceFieldOf(error: DomainError): PreferenceField | 'urgencyDate' | undefined {
  if (error.code === 'SITE_NOT_FOUND') return 'siteIds';
  const paths = (error.details?.errors as { path?: unknown }[] | undefined)?.map((e) => String(e.path ?? '')) ?? [];
  for (const path of paths) {
    const field = path.replace(/^preferences\./, '');
    if (field === 'urgencyDate' || (PREFERENCE_FIELDS as readonly string[]).includes(field))
      return field as PreferenceField | 'urgencyDate';
  }
  return undefined;
}

export interface CheckedPreferences {
  preferences: Preferences | null;
  urgencyDate: string | null;
  errors: FieldError[];
}

/** Checks the availability against the prefecture as filing will; `t` is any namespace's (keys are qualified). */
export function checkPreferences(input: PreferencesInput, target: RequestTarget, t: TFunction): CheckedPreferences {
  const errors: FieldError[] = [];
  const message = (field: string) => t(`request:fieldErrors.${field}`);
  for (const field of PREFERENCE_FIELDS) if (input[field].length === 0) errors.push({ field, message: message(field) });

  let urgencyDate: string | null = null;
  if (input.urgencyDate !== '') {
    try {
      if (!LocalDate.safeParse(input.urgencyDate).success) throw new Error('not a date');
      assertUrgencyDate(input.urgencyDate, target.today);
      urgencyDate = input.urgencyDate;
    } catch {
      errors.push({ field: 'urgencyDate', message: message('urgencyDate') });
    }
  }
  if (errors.length > 0) return { preferences: null, urgencyDate, errors };

  try {
    const preferences = normalisePreferences(
      { siteIds: input.siteIds, weekdays: input.weekdays.map(Number), halfDays: input.halfDays },
      target.sites.map((s) => s.id),
      target.receiving,
    );
    return { preferences, urgencyDate, errors };
  } catch (error) {
    const field = preferenceFieldOf(refusalOf(error)) ?? 'siteIds';
    return { preferences: null, urgencyDate, errors: [{ field, message: message(field) }] };
  }
}

/** The checkboxes of the availability fieldset, for the templates (`pages/request/_preferences`). */
export function preferenceOptions(target: RequestTarget, input: PreferencesInput, t: TFunction) {
  const weekdays = [...new Set(target.receiving.flatMap((r) => r.weekdays))].sort((a, b) => a - b);
  return {
    sites: target.sites.map((s) => ({
      value: s.id,
      label: s.name,
      hint: s.address,
      checked: input.siteIds.includes(s.id),
    })),
    weekdays: weekdays.map((d) => ({
      value: String(d),
      label: t(`request:weekday.${d}`),
      checked: input.weekdays.includes(String(d)),
    })),
    halfDays: (['am', 'pm'] as const).map((h) => ({
      value: h,
      label: t(`request:form.${h}`),
      checked: input.halfDays.includes(h),
    })),
  };
}
