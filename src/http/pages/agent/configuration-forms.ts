// What the configuration forms send, read into the use cases' inputs. The pages never judge
// the values: the use cases' rules do (domain/configuration-rules.ts), and name the fields.
import type { OpeningRuleInput } from '../../../app/configuration/add-opening-rule.ts';
import type { IsoWeekday } from '../../../domain/slot-generation.ts';
import type { FieldError } from '../page-forms.ts';

export type RawForm = Record<string, unknown>;

/** The errors of one form of a page (`form` says which, so the page shows them there). */
export interface FormErrors {
  form: string;
  errors: FieldError[];
}

/** Up to three opening windows per rule ("09:00–12:00", "13:30–16:00"…): enough for a counter's day. */
export const RULE_WINDOWS = 3;

/** The windows of a form (window1Start, window1End…), the empty ones left out. */
export function windowsOf(
  form: RawForm,
  first: (form: RawForm, key: string) => string,
): { start: string; end: string }[] {
  const windows = [];
  for (let i = 1; i <= RULE_WINDOWS; i++) {
    const start = first(form, `window${i}Start`).trim();
    const end = first(form, `window${i}End`).trim();
    if (start !== '' || end !== '') windows.push({ start, end });
  }
  return windows;
}

export function ruleInputOf(
  form: RawForm,
  first: (form: RawForm, key: string) => string,
  all: (form: RawForm, key: string) => string[],
  integer: (value: string) => number,
): OpeningRuleInput {
  const windows = windowsOf(form, first);
  return {
    procedureId: first(form, 'procedureId'),
    // Not a weekday (e.g. "8" or "x") stays in, as NaN or its number, for the rules to refuse.
    weekdays: all(form, 'weekdays').map((d) => integer(d)) as IsoWeekday[],
    validFrom: first(form, 'validFrom').trim(),
    validUntil: first(form, 'validUntil').trim() || null,
    windows,
    slotMinutes: integer(first(form, 'slotMinutes')),
  };
}
