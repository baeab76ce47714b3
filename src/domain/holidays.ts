/**
 * French public holidays (jours fériés) per year and département.
 *
 * Why: prefectures are closed on jours fériés, so no appointment slot may be
 * generated on those days. The list depends on the département: Alsace-Moselle
 * keeps two extra days from local law, and each overseas département has its
 * own abolition-of-slavery day.
 *
 * Sources:
 *  - Code du travail, art. L3133-1 (the 11 national days);
 *  - Code du travail, art. L3134-13 (Alsace-Moselle: Vendredi saint in
 *    communes having a Protestant temple or mixed church — applied here to the
 *    whole of 57/67/68 as prefectures do — and 26 December);
 *  - Loi n° 83-550 and décret n° 83-1003 du 23 novembre 1983 as amended
 *    (abolition de l'esclavage: 971 → 27 May, 972 → 22 May, 973 → 10 June,
 *    974 → 20 December, 976 → 27 April);
 *  - Easter: Meeus/Jones/Butcher anonymous Gregorian algorithm.
 *
 * Pure module: no I/O, no clock, no environment. Dates are calendar dates
 * handled as YYYY-MM-DD strings (calendar-date.ts).
 */

import { addDays, CALENDAR_DATE_SHAPE, calendarDateOf, isCalendarDate } from './calendar-date.ts';
import { DEPARTEMENT_CODE_PATTERN } from './identifiers.ts';

export interface PublicHoliday {
  /** Calendar date, YYYY-MM-DD. */
  date: string;
  /** French name, e.g. "Lundi de Pâques". */
  name: string;
}

const MIN_YEAR = 1900;
const MAX_YEAR = 2200;

const ALSACE_MOSELLE = new Set(['57', '67', '68']);

const SLAVERY_ABOLITION: Readonly<Record<string, { month: number; day: number }>> = {
  '971': { month: 5, day: 27 }, // Guadeloupe
  '972': { month: 5, day: 22 }, // Martinique
  '973': { month: 6, day: 10 }, // Guyane
  '974': { month: 12, day: 20 }, // La Réunion
  '976': { month: 4, day: 27 }, // Mayotte
};

const ABOLITION_NAME = "Abolition de l'esclavage";

function assertYear(year: number): void {
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) {
    throw new RangeError(`year must be an integer between ${MIN_YEAR} and ${MAX_YEAR}, got ${String(year)}`);
  }
}

function normalizeDepartement(code: string): string {
  if (typeof code !== 'string') {
    throw new RangeError(`département code must be a string, got ${typeof code}`);
  }
  const normalized = code.trim().toUpperCase();
  if (!DEPARTEMENT_CODE_PATTERN.test(normalized)) {
    throw new RangeError(`malformed département code: ${JSON.stringify(code)}`);
  }
  return normalized;
}

function easterMonthDay(year: number): { month: number; day: number } {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return { month, day };
}

/** Easter Sunday (Gregorian calendar) as YYYY-MM-DD. */
export function easterSunday(year: number): string {
  assertYear(year);
  const { month, day } = easterMonthDay(year);
  return calendarDateOf(year, month, day);
}

/** All public holidays for the year in the département, sorted by date. */
export function publicHolidays(year: number, departementCode: string): PublicHoliday[] {
  assertYear(year);
  const dep = normalizeDepartement(departementCode);
  return computeHolidays(year, dep).map((h) => ({ ...h }));
}

function computeHolidays(year: number, dep: string): PublicHoliday[] {
  const easter = easterMonthDay(year);
  const easterSundayDate = calendarDateOf(year, easter.month, easter.day);
  const fromEaster = (delta: number): string => addDays(easterSundayDate, delta);
  const fixed = (month: number, day: number): string => calendarDateOf(year, month, day);

  const list: PublicHoliday[] = [
    { date: fixed(1, 1), name: "Jour de l'an" },
    { date: fromEaster(1), name: 'Lundi de Pâques' },
    { date: fixed(5, 1), name: 'Fête du Travail' },
    { date: fixed(5, 8), name: 'Victoire 1945' },
    { date: fromEaster(39), name: 'Ascension' },
    { date: fromEaster(50), name: 'Lundi de Pentecôte' },
    { date: fixed(7, 14), name: 'Fête nationale' },
    { date: fixed(8, 15), name: 'Assomption' },
    { date: fixed(11, 1), name: 'Toussaint' },
    { date: fixed(11, 11), name: 'Armistice 1918' },
    { date: fixed(12, 25), name: 'Noël' },
  ];

  if (ALSACE_MOSELLE.has(dep)) {
    list.push({ date: fromEaster(-2), name: 'Vendredi saint' });
    list.push({ date: fixed(12, 26), name: 'Saint-Étienne' });
  }

  const abolition = SLAVERY_ABOLITION[dep];
  if (abolition !== undefined) {
    list.push({ date: fixed(abolition.month, abolition.day), name: ABOLITION_NAME });
  }

  // Stable sort; YYYY-MM-DD strings sort chronologically.
  return list.sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0));
}

const dateSetCache = new Map<string, ReadonlySet<string>>();

/** True if the YYYY-MM-DD date is a public holiday in the département. */
export function isPublicHoliday(date: string, departementCode: string): boolean {
  const match = typeof date === 'string' ? CALENDAR_DATE_SHAPE.exec(date) : null;
  if (match === null) {
    throw new RangeError(`malformed date (expected YYYY-MM-DD): ${JSON.stringify(date)}`);
  }
  const year = Number(match[1]);
  assertYear(year);
  if (!isCalendarDate(date)) {
    throw new RangeError(`invalid calendar date: ${date}`);
  }
  const dep = normalizeDepartement(departementCode);
  const key = `${year}|${dep}`;
  let dates = dateSetCache.get(key);
  if (dates === undefined) {
    dates = new Set(computeHolidays(year, dep).map((h) => h.date));
    dateSetCache.set(key, dates);
  }
  return dates.has(date);
}
