// The week of free slots shown by the booking and the reschedule pages: one site, seven days
// from `week`, grouped by local day (radio buttons in one fieldset a day: no script needed).
// When the week is empty, the page says where the next free slot is, or when new slots open.

import type { BookingUseCases } from '../../app/booking/booking-use-cases.ts';
import { addDays } from '../../domain/calendar-date.ts';
import { localDateOf } from '../../domain/local-time.ts';
import type { Prefecture, Procedure } from '../../ports/booking-store.ts';
import { LocalDate } from '../schemas.ts';

/** How far ahead the pages let people page, in days (the slot horizon is 60 days by default). */
const HORIZON_DAYS = 84;
/** One search of listFreeSlots covers at most 92 days. */
const SEARCH_DAYS = 91;

export interface SlotChoice {
  slotId: string;
  startsAt: Date;
  freeCounters: number;
}

export interface SlotDay {
  /** YYYY-MM-DD, local to the prefecture. */
  date: string;
  slots: SlotChoice[];
}

export interface SlotWeek {
  timeZone: string;
  from: string;
  to: string;
  days: SlotDay[];
  previousWeek: string | null;
  nextWeek: string | null;
  /** When the week is empty: the local date of the next open slot after it, if any. */
  nextFreeDate: string | null;
}

/** `week` from a query string: a date from today on, within the horizon; today otherwise. */
export function weekStart(raw: unknown, today: string): string {
  const parsed = LocalDate.safeParse(raw);
  if (!parsed.success || parsed.data < today) return today;
  const last = addDays(today, HORIZON_DAYS);
  return parsed.data > last ? last : parsed.data;
}

function groupByDay(slots: SlotChoice[], dateOf: (slot: SlotChoice) => string): SlotDay[] {
  const days: SlotDay[] = [];
  for (const slot of slots) {
    const date = dateOf(slot);
    const last = days.at(-1);
    if (last && last.date === date) last.slots.push(slot);
    else days.push({ date, slots: [slot] });
  }
  return days;
}

/** The first free slot of each site over the search horizon (null: none), for the site choice. */
/** The booking use cases a slot search calls. */
export type SlotSearch = Pick<BookingUseCases, 'freeSlotCalendar' | 'localToday'>;

export async function firstFreeSlots(
  booking: SlotSearch,
  procedure: Procedure,
  prefecture: Prefecture,
  siteIds: string[],
): Promise<Map<string, Date | null>> {
  const from = booking.localToday(prefecture.timeZone);
  const firsts = await Promise.all(
    siteIds.map(async (siteId) => {
      const { slots } = await booking.freeSlotCalendar({
        procedureId: procedure.id,
        siteIds: [siteId],
        fromDate: from,
        toDate: addDays(from, SEARCH_DAYS - 1),
        limit: 1,
      });
      return [siteId, slots[0]?.startsAt ?? null] as const;
    }),
  );
  return new Map(firsts);
}

export interface SlotWeekInput {
  procedure: Procedure;
  prefecture: Prefecture;
  siteId: string;
  week: unknown;
  /** Rescheduling: the appointment's own time is not a choice. */
  exclude?: { siteId: string; startsAt: string } | undefined;
}

export async function freeSlotWeek(booking: SlotSearch, input: SlotWeekInput): Promise<SlotWeek> {
  const { procedure, prefecture, siteId } = input;
  const timeZone = prefecture.timeZone;
  const today = booking.localToday(timeZone);
  const from = weekStart(input.week, today);
  const to = addDays(from, 6);
  const search = (fromDate: string, toDate: string, limit: number) =>
    booking.freeSlotCalendar({ procedureId: procedure.id, siteIds: [siteId], fromDate, toDate, limit });

  const excluded = input.exclude;
  const { slots } = await search(from, to, 500);
  const choices = slots
    .filter((s) => !(excluded && s.siteId === excluded.siteId && s.startsAt.toISOString() === excluded.startsAt))
    .map((s) => ({ slotId: s.slotId, startsAt: s.startsAt, freeCounters: s.freeCounters }));
  const days = groupByDay(choices, (s) => localDateOf(s.startsAt, timeZone));

  let nextFreeDate: string | null = null;
  if (days.length === 0) {
    const after = addDays(to, 1);
    const later = await search(after, addDays(after, SEARCH_DAYS - 1), 2);
    const next = later.slots.find(
      (s) => !(excluded && s.siteId === excluded.siteId && s.startsAt.toISOString() === excluded.startsAt),
    );
    nextFreeDate = next ? localDateOf(next.startsAt, timeZone) : null;
  }
  const previous = from > today ? (addDays(from, -7) < today ? today : addDays(from, -7)) : null;
  const nextWeek = addDays(from, 7) <= addDays(today, HORIZON_DAYS) ? addDays(from, 7) : null;
  return { timeZone, from, to, days, previousWeek: previous, nextWeek, nextFreeDate };
}
