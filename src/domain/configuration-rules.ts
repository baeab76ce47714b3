// What a prefecture may configure, and how a change reaches the slots. Pure: no I/O, no clock
// (the caller passes "today" in the prefecture's time zone).
//
// Each check returns the problems of a form, field by field ({ field, problem, message }):
// the pages show them next to their field (problem = a key of agent-config:problems), the
// API returns them as VALIDATION_FAILED `errors` (path = field, message in English).
//
// Changes apply to FUTURE, FREE slots only (planSlotResync): a slot with a live appointment
// (booked, arrived…) or a pending offer is "held" and never touched by a change of rules,
// counters or offer; only a closure withdraws held slots, after the supervisor confirmed the
// appointments it cancels (app/configuration/close-site.ts).
import { addDays, daysBetween, isCalendarDate } from './calendar-date.ts';
import { DomainError } from './errors.ts';
import { isSlug } from './identifiers.ts';
import {
  type markReservedForAgents,
  type OpeningRule,
  type SlotStatus,
  validateOpeningRule,
} from './slot-generation.ts';

export interface FieldProblem {
  field: string;
  /** Key under agent-config:problems (e.g. "required", "tooLong", "past"). */
  problem: string;
  message: string;
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
/** A real date from 2000 on: an earlier one in a rule or a closure is a typo. */
const isConfigurableDate = (value: string): boolean => isCalendarDate(value) && value >= '2000-01-01';

/** Throws VALIDATION_FAILED with the problems as `errors` (path, message), or returns. */
export function assertNoProblems(problems: FieldProblem[]): void {
  if (problems.length === 0) return;
  throw new DomainError('VALIDATION_FAILED', 'Some fields are missing or invalid.', {
    errors: problems.map((p) => ({ path: p.field, message: p.message, problem: p.problem })),
  });
}

/** Control characters (NUL, escapes…) have no place in a name, an address or a reason; tabs and line breaks do. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function text(field: string, value: string, max: number, required: boolean): FieldProblem[] {
  if (CONTROL.test(value)) return [{ field, problem: 'characters', message: `${field} contains control characters` }];
  const trimmed = value.trim();
  if (required && trimmed === '') return [{ field, problem: 'required', message: `${field} is required` }];
  if (trimmed.length > max)
    return [{ field, problem: 'tooLong', message: `${field} is longer than ${max} characters` }];
  return [];
}

// ---------------------------------------------------------------------------
// Sites and counters
// ---------------------------------------------------------------------------

export interface SiteDetails {
  name: string;
  address: string;
  /** '' = none. */
  phone: string;
  /** Free text shown to the public, e.g. "Lundi–vendredi 8 h 30–16 h"; '' = none. */
  publicHours: string;
}

/** Example: a phone "01 41 60 60 60" or "+33 1 41 60 60 60" is fine; "call us" is not. */
export function siteDetailsProblems(site: SiteDetails): FieldProblem[] {
  const problems = [
    ...text('name', site.name, 200, true),
    ...text('address', site.address, 300, true),
    ...text('phone', site.phone, 30, false),
    ...text('publicHours', site.publicHours, 500, false),
  ];
  if (site.phone.trim() !== '' && !/^\+?[0-9 .()-]{6,30}$/.test(site.phone.trim())) {
    problems.push({ field: 'phone', problem: 'phone', message: 'phone must be digits, spaces and + . ( ) - only' });
  }
  return problems;
}

export const counterNameProblems = (name: string): FieldProblem[] => text('name', name, 100, true);

// ---------------------------------------------------------------------------
// Procedures offered at a site, and the agents' reserve
// ---------------------------------------------------------------------------

/** Share of new slots kept for the phone / counter channel: a whole percentage 0–100. */
export function reservedPercentProblems(percent: number): FieldProblem[] {
  return Number.isInteger(percent) && percent >= 0 && percent <= 100
    ? []
    : [
        {
          field: 'reservedPercent',
          problem: 'percent',
          message: 'reservedPercent must be a whole number from 0 to 100',
        },
      ];
}

// ---------------------------------------------------------------------------
// Opening rules
// ---------------------------------------------------------------------------

/** Which form field a problem of validateOpeningRule is about. */
function ruleFieldOf(problem: string): string {
  if (problem.startsWith('weekday') || problem.startsWith('at least one weekday')) return 'weekdays';
  if (problem.startsWith('validFrom')) return 'validFrom';
  if (problem.startsWith('validUntil')) return 'validUntil';
  if (problem.startsWith('slotMinutes') || problem.includes('slot minutes')) return 'slotMinutes';
  if (problem.startsWith('procedureId')) return 'procedureId';
  if (problem.startsWith('counterId')) return 'counterId';
  return 'windows';
}

/** The kind of a problem of validateOpeningRule, for the pages' translated message (the API keeps the English one). */
function ruleProblemOf(message: string): string {
  if (message.startsWith('at least one weekday') || message.startsWith('weekday')) return 'weekdays';
  if (message.startsWith('slotMinutes')) return 'slotMinutes';
  if (message.startsWith('at least one time window')) return 'windowRequired';
  if (message.includes('must be "HH:MM"')) return 'time';
  if (message.includes('start must be before end')) return 'windowOrder';
  if (message.includes('shorter than one')) return 'windowShort';
  if (message.includes('chronological order') || message.includes('overlaps')) return 'windowOverlap';
  if (message.includes('must not be after')) return 'order';
  if (message.includes('YYYY-MM-DD')) return 'date';
  return 'rule';
}

/**
 * A new rule: everything validateOpeningRule checks, and it starts today at the earliest
 * (a rule never rewrites the past). Example, today 2026-06-01: from 2026-06-01 is fine, from
 * 2026-05-31 is "past".
 */
export function newOpeningRuleProblems(rule: OpeningRule, today: string): FieldProblem[] {
  if (!isSlug(rule.procedureId))
    return [{ field: 'procedureId', problem: 'required', message: 'procedureId is required' }];
  const problems: FieldProblem[] = validateOpeningRule(rule).map((message) => ({
    field: ruleFieldOf(message),
    problem: ruleProblemOf(message),
    message,
  }));
  if (!problems.some((p) => p.field === 'validFrom') && rule.validFrom < today) {
    problems.push({ field: 'validFrom', problem: 'past', message: `validFrom must be today (${today}) or later` });
  }
  return problems;
}

/**
 * An exceptional opening ("Saturday 2026-06-13, 09:00–12:00, 20-minute slots"): the same
 * checks as a rule's hours, on one date, today or later. It replaces that day's rules for its
 * counter and procedure, and opens even on a holiday (domain/slot-generation.ts).
 */
/**
 * The procedure an opening (a rule or an exceptional one) gives slots to: it must exist and be
 * done by appointment — slots of a procedure done by post or online could never be booked.
 */
export function scheduledProcedureProblems(procedureId: string, procedure: { channel: string } | null): FieldProblem[] {
  if (!isSlug(procedureId)) return [];
  if (!procedure) return [{ field: 'procedureId', problem: 'unknown', message: `no procedure ${procedureId}` }];
  if (procedure.channel !== 'appointment')
    return [
      { field: 'procedureId', problem: 'notByAppointment', message: `${procedureId} is not done by appointment` },
    ];
  return [];
}

export function exceptionalOpeningProblems(
  opening: {
    counterId: string;
    procedureId: string;
    date: string;
    windows: OpeningRule['windows'];
    slotMinutes: number;
  },
  today: string,
): FieldProblem[] {
  if (!isConfigurableDate(opening.date))
    return [{ field: 'date', problem: 'date', message: 'date must be a valid YYYY-MM-DD date' }];
  const problems = newOpeningRuleProblems(
    { ...opening, weekdays: [1], validFrom: opening.date, validUntil: opening.date },
    today,
  ).map((p) =>
    p.field === 'validFrom' || p.field === 'validUntil'
      ? { ...p, field: 'date', message: p.message.replace(/validFrom|validUntil/g, 'date') }
      : p,
  );
  return problems;
}

export type RuleEnding =
  /** The rule stops: its last day becomes `validUntil`. */
  | { kind: 'end'; validUntil: string }
  /** The rule had not started yet (or starts that day): it is removed. */
  | { kind: 'remove' };

/**
 * Ending a rule "from" a date: that date is the first day without it. Example: a rule valid
 * from 2026-01-05, ended from 2026-07-01 → valid until 2026-06-30; ended from 2026-01-05 (or
 * earlier, were it allowed) → it never applies, so it is removed. The date is today or later:
 * the past stays as it was. A rule already ending before that date is unchanged (nothing to do).
 */
export function endOpeningRule(
  rule: Pick<OpeningRule, 'validFrom' | 'validUntil'>,
  endsFrom: string,
  today: string,
): RuleEnding | null {
  if (!isConfigurableDate(endsFrom)) throw problemError('endsFrom', 'date', 'endsFrom must be a valid YYYY-MM-DD date');
  if (endsFrom < today) throw problemError('endsFrom', 'past', `endsFrom must be today (${today}) or later`);
  if (rule.validUntil !== null && rule.validUntil < endsFrom) return null;
  if (endsFrom <= rule.validFrom) return { kind: 'remove' };
  return { kind: 'end', validUntil: addDays(endsFrom, -1) };
}

function problemError(field: string, problem: string, message: string): DomainError {
  return new DomainError('VALIDATION_FAILED', 'Some fields are missing or invalid.', {
    errors: [{ path: field, message, problem }],
  });
}

// ---------------------------------------------------------------------------
// Closures
// ---------------------------------------------------------------------------

/** A closure is at most a year long: longer is a site that closed, not a closure. */
export const MAX_CLOSURE_DAYS = 366;

export interface ClosureInput {
  dateFrom: string;
  dateTo: string;
  reason: string;
}

/** Example, today 2026-06-01: 2026-06-01 → 2026-06-03 "Travaux" is fine; from 2026-05-30 is "past"; no reason is "required". */
export function closureProblems(closure: ClosureInput, today: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const fromOk = isConfigurableDate(closure.dateFrom);
  const toOk = isConfigurableDate(closure.dateTo);
  if (!fromOk)
    problems.push({ field: 'dateFrom', problem: 'date', message: 'dateFrom must be a valid YYYY-MM-DD date' });
  else if (closure.dateFrom < today)
    problems.push({ field: 'dateFrom', problem: 'past', message: `dateFrom must be today (${today}) or later` });
  if (!toOk) problems.push({ field: 'dateTo', problem: 'date', message: 'dateTo must be a valid YYYY-MM-DD date' });
  if (fromOk && toOk) {
    if (closure.dateTo < closure.dateFrom)
      problems.push({ field: 'dateTo', problem: 'order', message: 'dateTo must not be before dateFrom' });
    else if (daysBetween(closure.dateFrom, closure.dateTo) >= MAX_CLOSURE_DAYS) {
      problems.push({
        field: 'dateTo',
        problem: 'tooLongRange',
        message: `a closure lasts ${MAX_CLOSURE_DAYS} days at most`,
      });
    }
  }
  problems.push(...text('reason', closure.reason, 500, true));
  return problems;
}

// ---------------------------------------------------------------------------
// Draw schedule (prefecture) and national settings
// ---------------------------------------------------------------------------

export function drawScheduleProblems(schedule: { dailyAt: string }): FieldProblem[] {
  return TIME.test(schedule.dailyAt)
    ? []
    : [{ field: 'dailyAt', problem: 'time', message: 'dailyAt must be a time HH:MM' }];
}

/** The bounds of a cadence's step, in minutes (draw_cadence.every_minutes, migration 0012). */
export const MIN_CADENCE_MINUTES = 5;
export const MAX_CADENCE_MINUTES = 720;

export interface DrawCadenceInput {
  everyMinutes: number;
  /** Local wall-clock times "HH:MM" of the first and last draws of the day. */
  fromTime: string;
  untilTime: string;
}

const minutesOf = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/**
 * Draws through the day for one procedure of a prefecture: every `everyMinutes` (5–720) from
 * `fromTime` to `untilTime`, local times, and at least two draws a day (otherwise it is a daily
 * draw: leave the cadence out). Examples: every 15 min 08:00–18:00 is fine; 18:00–08:00 is
 * "timeOrder"; every 120 min 08:00–09:00 is "cadenceSpan" (one draw a day).
 */
export function drawCadenceProblems(c: DrawCadenceInput): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const stepOk =
    Number.isInteger(c.everyMinutes) && c.everyMinutes >= MIN_CADENCE_MINUTES && c.everyMinutes <= MAX_CADENCE_MINUTES;
  if (!stepOk) {
    problems.push({
      field: 'everyMinutes',
      problem: 'cadenceRange',
      message: `everyMinutes must be a whole number from ${MIN_CADENCE_MINUTES} to ${MAX_CADENCE_MINUTES}`,
    });
  }
  const fromOk = TIME.test(c.fromTime);
  const untilOk = TIME.test(c.untilTime);
  if (!fromOk) problems.push({ field: 'fromTime', problem: 'time', message: 'fromTime must be a time HH:MM' });
  if (!untilOk) problems.push({ field: 'untilTime', problem: 'time', message: 'untilTime must be a time HH:MM' });
  if (fromOk && untilOk) {
    const span = minutesOf(c.untilTime) - minutesOf(c.fromTime);
    if (span <= 0)
      problems.push({ field: 'untilTime', problem: 'timeOrder', message: 'untilTime must be after fromTime' });
    else if (stepOk && span < c.everyMinutes) {
      problems.push({
        field: 'everyMinutes',
        problem: 'cadenceSpan',
        message:
          'a cadence draws at least twice a day: everyMinutes must not exceed the time from fromTime to untilTime',
      });
    }
  }
  return problems;
}

/**
 * A procedure's national policy. There is one flow for every procedure done at a counter
 * (requests drawn, then the slots nobody asked for open to everyone): no booking mode, no
 * allocation order — only when slots are released and how offers are answered.
 */
export interface ProcedurePolicy {
  releaseDaysAhead: number;
  releaseTime: string;
  /** Hours an offer stays open: 1–336. */
  offerHours: number;
  /** Ignored offers before a request is closed: 1–10. */
  maxIgnoredOffers: number;
  /** Declines a request may make; the next one closes it: 0–10. */
  maxDeclines: number;
}

const wholeIn = (field: keyof ProcedurePolicy, value: number, min: number, max: number): FieldProblem[] =>
  Number.isInteger(value) && value >= min && value <= max
    ? []
    : [{ field, problem: 'range', message: `${field} must be a whole number from ${min} to ${max}` }];

/** The same bounds as the procedure table's checks: release 0–366 days ahead, offers open 1–336 hours, 1–10 ignored offers, 0–10 declines. */
export function procedurePolicyProblems(p: ProcedurePolicy): FieldProblem[] {
  return [
    ...wholeIn('releaseDaysAhead', p.releaseDaysAhead, 0, 366),
    ...(TIME.test(p.releaseTime)
      ? []
      : [{ field: 'releaseTime', problem: 'time', message: 'releaseTime must be a time HH:MM' }]),
    ...wholeIn('offerHours', p.offerHours, 1, 336),
    ...wholeIn('maxIgnoredOffers', p.maxIgnoredOffers, 1, 10),
    ...wholeIn('maxDeclines', p.maxDeclines, 0, 10),
  ];
}

/** Active appointments one email address may hold: 1–20. */
export const MAX_EMAIL_CAP = 20;
export function emailCapProblems(cap: number): FieldProblem[] {
  return Number.isInteger(cap) && cap >= 1 && cap <= MAX_EMAIL_CAP
    ? []
    : [
        {
          field: 'maxActivePerEmail',
          problem: 'range',
          message: `maxActivePerEmail must be a whole number from 1 to ${MAX_EMAIL_CAP}`,
        },
      ];
}

// ---------------------------------------------------------------------------
// Slots after a change
// ---------------------------------------------------------------------------

/** A slot of the database from the change's date on (open, or withdrawn). */
export interface ExistingSlot {
  id: string;
  counterId: string;
  procedureId: string;
  startsAt: Date;
  endsAt: Date;
  releasedAt: Date;
  status: SlotStatus;
  reservedForAgents: boolean;
  /** A live appointment or a pending offer: never touched by a change. */
  held: boolean;
}

/** A slot the configuration now produces (domain/slot-generation.ts, reserve marked). */
export type WantedSlot = ReturnType<typeof markReservedForAgents>[number];

export interface SlotResyncPlan {
  /** Free open slots the configuration no longer produces. */
  withdraw: string[];
  /** Free slots kept at their counter and start, set to what the configuration says now (reopened if withdrawn). */
  update: { id: string; slot: WantedSlot }[];
  /** New slots (no slot at that counter and start yet). */
  insert: WantedSlot[];
}

const sameSlot = (e: ExistingSlot, w: WantedSlot) =>
  e.status === 'open' &&
  e.procedureId === w.procedureId &&
  e.endsAt.getTime() === w.endsAt.getTime() &&
  e.releasedAt.getTime() === w.releasedAt.getTime() &&
  e.reservedForAgents === w.reservedForAgents;

/**
 * From the slots there are to the slots the configuration wants, touching free slots only.
 * A slot is identified by its counter and start (the table's unique key, withdrawn slots
 * included — so a slot wanted again is reopened rather than inserted).
 *
 * Worked example, one counter, 20-minute slots 09:00, 09:20 (booked), 09:40 changed to
 * 30-minute slots from 09:00: wanted 09:00–09:30, 09:30–10:00. 09:00–09:30 overlaps the
 * booked 09:20 → dropped (the held slot wins); 09:30–10:00 overlaps it too → dropped; the
 * free 09:00 and 09:40 are not wanted any more → withdrawn; the booked 09:20 stays as it is.
 *
 * Wanted slots that overlap each other at one counter (two rules) keep the earliest, as
 * materialisation does.
 */
export function planSlotResync(existing: readonly ExistingSlot[], wanted: readonly WantedSlot[]): SlotResyncPlan {
  const key = (counterId: string, startsAt: Date) => `${counterId}\u0000${startsAt.getTime()}`;
  const byKey = new Map(existing.map((e) => [key(e.counterId, e.startsAt), e]));
  const heldByCounter = new Map<string, ExistingSlot[]>();
  for (const e of existing) {
    if (!e.held) continue;
    const list = heldByCounter.get(e.counterId);
    if (list) list.push(e);
    else heldByCounter.set(e.counterId, [e]);
  }
  const overlapsHeld = (w: WantedSlot) =>
    (heldByCounter.get(w.counterId) ?? []).some((h) => h.startsAt < w.endsAt && w.startsAt < h.endsAt);

  const sorted = [...wanted].sort(
    (a, b) =>
      a.startsAt.getTime() - b.startsAt.getTime() ||
      (a.counterId < b.counterId ? -1 : a.counterId > b.counterId ? 1 : 0),
  );
  const lastEnd = new Map<string, number>();
  const kept = new Set<string>();
  const plan: SlotResyncPlan = { withdraw: [], update: [], insert: [] };
  for (const w of sorted) {
    const k = key(w.counterId, w.startsAt);
    const current = byKey.get(k);
    if (current?.held) {
      kept.add(k);
      continue;
    }
    if (overlapsHeld(w)) continue;
    if (w.startsAt.getTime() < (lastEnd.get(w.counterId) ?? -Infinity)) continue;
    lastEnd.set(w.counterId, w.endsAt.getTime());
    kept.add(k);
    if (!current) plan.insert.push(w);
    else if (!sameSlot(current, w)) plan.update.push({ id: current.id, slot: w });
  }
  for (const e of existing) {
    if (!e.held && e.status === 'open' && !kept.has(key(e.counterId, e.startsAt))) plan.withdraw.push(e.id);
  }
  return plan;
}
