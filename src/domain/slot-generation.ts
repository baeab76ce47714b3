/**
 * Slot generation: turns a counter's opening rules into concrete slots.
 *
 * Why: the opening hours of a foreigners' service are configured as rules
 * ("Monday to Thursday, 09:00–12:00 and 13:30–16:00, 20-minute slots, from
 * 2026-01-05"), but bookings are made on concrete, individually released
 * slots. This module computes those slots for a range of local dates.
 *
 * Pure module: no I/O, no clock, no environment, no randomness. Local dates
 * are YYYY-MM-DD strings handled with civil-calendar arithmetic; wall-clock
 * times are "HH:MM" strings interpreted in the site's IANA time zone (offsets
 * come from luxon's IANAZone, i.e. the runtime's tz database).
 *
 * Layout of slots in a window — back-to-back from the window's start, a slot
 * fits when start + slotMinutes <= window end (wall-clock minutes):
 *   - 09:00–12:00, 20 min → 09:00, 09:20, …, 11:40 (11:40 + 20 = 12:00 fits)
 *     = 9 slots;
 *   - 09:05–10:00, 30 min → 09:05 only (09:35 + 30 = 10:05 > 10:00);
 *   - 13:30–16:00, 45 min → 13:30, 14:15, 15:00 (15:45 + 45 = 16:30 > 16:00)
 *     = 3 slots, the last 15 minutes stay unused.
 *
 * Daylight saving (e.g. Europe/Paris):
 *   - spring forward, 2026-03-29: 02:00–02:59 does not exist. With a window
 *     01:00–04:00 and 30-min slots the wall-clock starts are 01:00, 01:30,
 *     02:00, 02:30, 03:00, 03:30; 02:00 and 02:30 are skipped → 4 slots at
 *     00:00Z, 00:30Z, 01:00Z, 01:30Z;
 *   - fall back, 2026-10-25: 02:00–02:59 happens twice. Each wall-clock start
 *     is produced once, at its first occurrence (summer time) → 6 slots at
 *     23:00Z (on the 24th), 23:30Z, 00:00Z, 00:30Z, 02:00Z, 02:30Z.
 *   endsAt is always startsAt + slotMinutes real minutes.
 */

import { IANAZone } from 'luxon';
import { dateOfDayNumber, dayNumberOf, type IsoWeekday, isoWeekdayOfDayNumber } from './calendar-date.ts';

export type { IsoWeekday };

/** A slot is open, or withdrawn by a change of configuration or a closure (never deleted). */
export type SlotStatus = 'open' | 'withdrawn';

/** Local wall-clock window, "HH:MM" (00:00–23:59), start < end. */
export interface TimeWindow {
  start: string;
  end: string;
}

export interface OpeningRule {
  counterId: string;
  procedureId: string;
  weekdays: IsoWeekday[];
  /** YYYY-MM-DD, inclusive, local date. */
  validFrom: string;
  /** Inclusive local date; null = open-ended. */
  validUntil: string | null;
  windows: TimeWindow[];
  /** 5..240. */
  slotMinutes: number;
}

/** Opens a counter for a procedure on a date, even on a holiday or a closed weekday. */
export interface ExceptionalOpening {
  counterId: string;
  procedureId: string;
  date: string;
  windows: TimeWindow[];
  slotMinutes: number;
}

/** Closure of a counter, or of the whole site (counterId null), inclusive local dates. */
export interface Closure {
  counterId: string | null;
  from: string;
  to: string;
}

/** A slot on local day D is released at `time` (local) on day D - daysAhead. */
export interface ReleasePolicy {
  daysAhead: number;
  time: string;
}

export interface SlotDraft {
  counterId: string;
  procedureId: string;
  startsAt: Date;
  endsAt: Date;
  releasedAt: Date;
  localDate: string;
}

/**
 * The agents' reserve: of each day's slots of a procedure at a site (in time order, then
 * counter), `percent` % are kept for the phone / counter channel, spread evenly through the
 * day — slot i is reserved when ⌊(i+1)·p/100⌋ > ⌊i·p/100⌋. Example: 20 % of 10 slots → the
 * 5th and the 10th. Pure and deterministic, so materialising again marks the same slots.
 */
export function markReservedForAgents(
  slots: SlotDraft[],
  percentOf: (procedureId: string) => number,
): (SlotDraft & { reservedForAgents: boolean })[] {
  const groups = new Map<string, SlotDraft[]>();
  for (const slot of slots) {
    const key = `${slot.localDate}\u0000${slot.procedureId}`;
    const group = groups.get(key);
    if (group) group.push(slot);
    else groups.set(key, [slot]);
  }
  const reserved = new Set<SlotDraft>();
  for (const group of groups.values()) {
    const percent = Math.max(0, Math.min(100, percentOf(group[0]!.procedureId)));
    if (percent === 0) continue;
    group.sort(
      (a, b) =>
        a.startsAt.getTime() - b.startsAt.getTime() ||
        (a.counterId < b.counterId ? -1 : a.counterId > b.counterId ? 1 : 0),
    );
    group.forEach((slot, i) => {
      if (Math.floor(((i + 1) * percent) / 100) > Math.floor((i * percent) / 100)) reserved.add(slot);
    });
  }
  return slots.map((slot) => ({ ...slot, reservedForAgents: reserved.has(slot) }));
}

export interface SlotGenerationInput {
  /** IANA, e.g. Europe/Paris, America/Cayenne, Indian/Reunion. */
  timeZone: string;
  /** Inclusive local dates. */
  fromDate: string;
  toDate: string;
  rules: OpeningRule[];
  exceptionalOpenings: ExceptionalOpening[];
  closures: Closure[];
  isHoliday: (localDate: string) => boolean;
  releasePolicy: (procedureId: string) => ReleasePolicy;
}

export const MIN_SLOT_MINUTES = 5;
export const MAX_SLOT_MINUTES = 240;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

// ---------------------------------------------------------------------------
// Civil dates
// ---------------------------------------------------------------------------

function requireLocalDate(date: string, what: string): number {
  const days = dayNumberOf(date);
  if (days === null) throw new RangeError(`${what} must be a valid YYYY-MM-DD date, got ${JSON.stringify(date)}`);
  return days;
}

/** Minutes since local midnight of an "HH:MM" string, or null if malformed. */
function parseTime(time: string): number | null {
  if (typeof time !== 'string') return null;
  const m = TIME_RE.exec(time);
  if (!m) return null;
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Inclusive list of YYYY-MM-DD dates; [] when fromDate > toDate. Throws RangeError on malformed dates. */
export function localDateRange(fromDate: string, toDate: string): string[] {
  const from = requireLocalDate(fromDate, 'fromDate');
  const to = requireLocalDate(toDate, 'toDate');
  const out: string[] = [];
  for (let d = from; d <= to; d++) out.push(dateOfDayNumber(d));
  return out;
}

// ---------------------------------------------------------------------------
// Wall-clock → instant
// ---------------------------------------------------------------------------

function requireZone(timeZone: string): IANAZone {
  if (typeof timeZone !== 'string' || !IANAZone.isValidZone(timeZone)) {
    throw new RangeError(`invalid IANA time zone: ${JSON.stringify(timeZone)}`);
  }
  return IANAZone.create(timeZone) as IANAZone;
}

interface ResolvedWallTime {
  /** Epoch milliseconds. */
  instant: number;
  /** false when the wall-clock time falls into a DST gap (then `instant` is shifted forward). */
  exists: boolean;
}

/**
 * Resolves a local wall-clock time (given as "wall clock read as UTC" epoch
 * milliseconds) in a zone, deterministically:
 *  - normal time → its single instant;
 *  - fold (time happens twice) → the first, i.e. earliest, occurrence;
 *  - gap (time does not exist) → exists = false, instant moved forward by the
 *    gap length using the pre-transition offset (02:30 on a spring-forward day
 *    in Paris → 03:30 summer time), as luxon does.
 * Candidate offsets are the zone's offsets one day before and after; real tz
 * transitions are never closer than that.
 */
function resolveWallTime(zone: IANAZone, wallAsUtc: number): ResolvedWallTime {
  const before = zone.offset(wallAsUtc - DAY_MS);
  const after = zone.offset(wallAsUtc + DAY_MS);
  const offsets = before === after ? [before] : [before, after];
  let best: number | null = null;
  for (const o of offsets) {
    const t = wallAsUtc - o * MINUTE_MS;
    if (zone.offset(t) === o && (best === null || t < best)) best = t;
  }
  if (best !== null) return { instant: best, exists: true };
  let forward = -Infinity;
  for (const o of offsets) forward = Math.max(forward, wallAsUtc - o * MINUTE_MS);
  return { instant: forward, exists: false };
}

/**
 * Per-day resolver: on a day whose offset is constant (every day but the two
 * DST change days) wall times map with a single subtraction, avoiding a tz
 * lookup per slot.
 */
function dayResolver(zone: IANAZone, days: number): (minuteOfDay: number) => ResolvedWallTime {
  const midnight = days * DAY_MS;
  const o1 = zone.offset(midnight - 2 * DAY_MS);
  const o2 = zone.offset(midnight + DAY_MS / 2);
  const o3 = zone.offset(midnight + 3 * DAY_MS);
  if (o1 === o2 && o2 === o3) {
    return (minute) => ({ instant: midnight + minute * MINUTE_MS - o1 * MINUTE_MS, exists: true });
  }
  return (minute) => resolveWallTime(zone, midnight + minute * MINUTE_MS);
}

function checkReleasePolicy(policy: ReleasePolicy): number {
  if (policy === null || typeof policy !== 'object') throw new RangeError('release policy must be an object');
  if (!Number.isInteger(policy.daysAhead) || policy.daysAhead < 0) {
    throw new RangeError(`release policy daysAhead must be a non-negative integer, got ${String(policy.daysAhead)}`);
  }
  const minute = parseTime(policy.time);
  if (minute === null) throw new RangeError(`release policy time must be "HH:MM", got ${JSON.stringify(policy.time)}`);
  return minute;
}

/**
 * Instant at which a slot on `localDate` is released: `policy.time` (local) on
 * day localDate - policy.daysAhead. Example: slot on 2026-04-10,
 * { daysAhead: 14, time: "08:00" }, Europe/Paris → 2026-03-27 08:00 winter
 * time = 2026-03-27T07:00:00Z. A release time in a DST gap moves forward
 * (02:30 on 2026-03-29 → 03:30 summer time = 01:30Z); in a fold the first
 * occurrence is used.
 */
export function releaseInstant(localDate: string, policy: ReleasePolicy, timeZone: string): Date {
  const zone = requireZone(timeZone);
  const days = requireLocalDate(localDate, 'localDate');
  const minute = checkReleasePolicy(policy);
  const releaseDay = days - policy.daysAhead;
  return new Date(resolveWallTime(zone, releaseDay * DAY_MS + minute * MINUTE_MS).instant);
}

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

function validateSchedule(windows: TimeWindow[], slotMinutes: number): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(slotMinutes) || slotMinutes < MIN_SLOT_MINUTES || slotMinutes > MAX_SLOT_MINUTES) {
    problems.push(
      `slotMinutes must be an integer between ${MIN_SLOT_MINUTES} and ${MAX_SLOT_MINUTES}, got ${String(slotMinutes)}`,
    );
  }
  if (!Array.isArray(windows) || windows.length === 0) {
    problems.push('at least one time window is required');
    return problems;
  }
  let previous: { start: number; end: number; label: string } | null = null;
  windows.forEach((w, i) => {
    const label = `window ${i + 1} (${String(w?.start)}–${String(w?.end)})`;
    const start = parseTime(w?.start);
    const end = parseTime(w?.end);
    if (start === null) problems.push(`${label}: start must be "HH:MM" between 00:00 and 23:59`);
    if (end === null) problems.push(`${label}: end must be "HH:MM" between 00:00 and 23:59`);
    if (start === null || end === null) return;
    if (start >= end) {
      problems.push(`${label}: start must be before end`);
      return;
    }
    if (Number.isInteger(slotMinutes) && slotMinutes > 0 && end - start < slotMinutes) {
      problems.push(`${label}: shorter than one ${slotMinutes}-minute slot`);
    }
    if (previous !== null) {
      if (start < previous.start) {
        problems.push(`${label}: windows must be in chronological order (starts before ${previous.label})`);
      } else if (start < previous.end) {
        problems.push(`${label}: overlaps ${previous.label}`);
      }
    }
    previous = { start, end, label };
  });
  return problems;
}

/** Human-readable problems of an opening rule; [] when it is valid. */
export function validateOpeningRule(rule: OpeningRule): string[] {
  const problems: string[] = [];
  if (typeof rule.counterId !== 'string' || rule.counterId === '') problems.push('counterId is required');
  if (typeof rule.procedureId !== 'string' || rule.procedureId === '') problems.push('procedureId is required');

  if (!Array.isArray(rule.weekdays) || rule.weekdays.length === 0) {
    problems.push('at least one weekday is required');
  } else {
    const seen = new Set<number>();
    for (const d of rule.weekdays) {
      if (!Number.isInteger(d) || d < 1 || d > 7) {
        problems.push(`weekday ${String(d)} is not an ISO weekday (1 = Monday … 7 = Sunday)`);
      } else if (seen.has(d)) {
        problems.push(`weekday ${d} is listed more than once`);
      }
      seen.add(d);
    }
  }

  const from = dayNumberOf(rule.validFrom);
  if (from === null) problems.push(`validFrom must be a valid YYYY-MM-DD date, got ${JSON.stringify(rule.validFrom)}`);
  if (rule.validUntil !== null) {
    const until = dayNumberOf(rule.validUntil);
    if (until === null) {
      problems.push(`validUntil must be a valid YYYY-MM-DD date or null, got ${JSON.stringify(rule.validUntil)}`);
    } else if (from !== null && from > until) {
      problems.push(`validFrom (${rule.validFrom}) must not be after validUntil (${rule.validUntil})`);
    }
  }

  problems.push(...validateSchedule(rule.windows, rule.slotMinutes));
  return problems;
}

// ---------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------

interface Schedule {
  counterId: string;
  procedureId: string;
  windows: TimeWindow[];
  slotMinutes: number;
}

/**
 * Generates the slots of [fromDate, toDate] (local dates), sorted by startsAt
 * then counterId. Throws RangeError on an invalid time zone, malformed dates,
 * an invalid rule / exceptional opening, or an invalid release policy.
 *
 * Per local day and counter:
 *  - closed (closure for that counter or the whole site) → nothing;
 *  - for each procedure with an exceptional opening that day → the opening's
 *    slots only (holidays, weekdays and rule validity are ignored);
 *  - otherwise, unless the day is a holiday → slots of every rule whose
 *    weekdays include the day and whose validity covers it.
 * Identical (counterId, startsAt) are kept once: exceptional openings first,
 * then rules in input order.
 */
export function generateSlots(input: SlotGenerationInput): SlotDraft[] {
  const zone = requireZone(input.timeZone);
  const from = requireLocalDate(input.fromDate, 'fromDate');
  const to = requireLocalDate(input.toDate, 'toDate');

  input.rules.forEach((rule, i) => {
    const problems = validateOpeningRule(rule);
    if (problems.length > 0) throw new RangeError(`opening rule ${i + 1} is invalid: ${problems.join('; ')}`);
  });

  // Exceptional openings indexed by day number.
  const exceptionalByDay = new Map<number, ExceptionalOpening[]>();
  input.exceptionalOpenings.forEach((eo, i) => {
    const day = dayNumberOf(eo.date);
    const problems = validateSchedule(eo.windows, eo.slotMinutes);
    if (day === null) problems.unshift(`date must be a valid YYYY-MM-DD date, got ${JSON.stringify(eo.date)}`);
    if (typeof eo.counterId !== 'string' || eo.counterId === '') problems.push('counterId is required');
    if (typeof eo.procedureId !== 'string' || eo.procedureId === '') problems.push('procedureId is required');
    if (problems.length > 0) throw new RangeError(`exceptional opening ${i + 1} is invalid: ${problems.join('; ')}`);
    if (day === null || day < from || day > to) return;
    const list = exceptionalByDay.get(day);
    if (list) list.push(eo);
    else exceptionalByDay.set(day, [eo]);
  });

  const closures = input.closures.map((c, i) => {
    const cFrom = dayNumberOf(c.from);
    const cTo = dayNumberOf(c.to);
    if (cFrom === null || cTo === null) {
      throw new RangeError(`closure ${i + 1} must have valid YYYY-MM-DD from/to dates`);
    }
    return { counterId: c.counterId, from: cFrom, to: cTo };
  });

  const releaseCache = new Map<string, number>(); // `${procedureId}\u0000${day}` → epoch ms
  const policyCache = new Map<string, { daysAhead: number; minute: number }>();
  const releasedAtFor = (procedureId: string, day: number): number => {
    const key = `${procedureId}\u0000${day}`;
    const cached = releaseCache.get(key);
    if (cached !== undefined) return cached;
    let policy = policyCache.get(procedureId);
    if (!policy) {
      const p = input.releasePolicy(procedureId);
      policy = { daysAhead: p.daysAhead, minute: checkReleasePolicy(p) };
      policyCache.set(procedureId, policy);
    }
    const releaseDay = day - policy.daysAhead;
    const instant = resolveWallTime(zone, releaseDay * DAY_MS + policy.minute * MINUTE_MS).instant;
    releaseCache.set(key, instant);
    return instant;
  };

  const slots: SlotDraft[] = [];
  const seen = new Set<string>(); // `${counterId}\u0000${startsAt ms}`

  for (let day = from; day <= to; day++) {
    const localDate = dateOfDayNumber(day);
    const weekday = isoWeekdayOfDayNumber(day);
    const closedSite = closures.some((c) => c.counterId === null && c.from <= day && day <= c.to);
    const closedCounter = (counterId: string): boolean =>
      closedSite || closures.some((c) => c.counterId === counterId && c.from <= day && day <= c.to);

    const exceptional = exceptionalByDay.get(day) ?? [];
    const replaced = new Set(exceptional.map((eo) => `${eo.counterId}\u0000${eo.procedureId}`));

    const schedules: Schedule[] = [...exceptional];
    if (!input.isHoliday(localDate)) {
      for (const rule of input.rules) {
        if (!rule.weekdays.includes(weekday)) continue;
        if (localDate < rule.validFrom) continue;
        if (rule.validUntil !== null && localDate > rule.validUntil) continue;
        if (replaced.has(`${rule.counterId}\u0000${rule.procedureId}`)) continue;
        schedules.push(rule);
      }
    }
    if (schedules.length === 0) continue;

    const resolve = dayResolver(zone, day);
    for (const s of schedules) {
      if (closedCounter(s.counterId)) continue;
      const durationMs = s.slotMinutes * MINUTE_MS;
      for (const w of s.windows) {
        const start = parseTime(w.start) as number;
        const end = parseTime(w.end) as number;
        // Back-to-back: a slot fits while its wall-clock end stays within the window.
        for (let m = start; m + s.slotMinutes <= end; m += s.slotMinutes) {
          const { instant, exists } = resolve(m);
          if (!exists) continue; // spring-forward gap: this wall-clock start never happens
          const key = `${s.counterId}\u0000${instant}`;
          if (seen.has(key)) continue;
          seen.add(key);
          slots.push({
            counterId: s.counterId,
            procedureId: s.procedureId,
            startsAt: new Date(instant),
            endsAt: new Date(instant + durationMs),
            releasedAt: new Date(releasedAtFor(s.procedureId, day)),
            localDate,
          });
        }
      }
    }
  }

  slots.sort((a, b) => {
    const dt = a.startsAt.getTime() - b.startsAt.getTime();
    if (dt !== 0) return dt;
    return a.counterId < b.counterId ? -1 : a.counterId > b.counterId ? 1 : 0;
  });
  return slots;
}
