// After a change of rules, counters, offer or release policy: the prefecture's future FREE
// slots follow the configuration, from the change's first day to the end of the horizon —
// in the change's own transaction, so the audit, the rule and its slots commit together.
// Slots with a live appointment or a pending offer are held and stay exactly as they are
// (domain/configuration-rules.ts, planSlotResync, has the worked example).
import { addDays } from '../../domain/calendar-date.ts';
import { planSlotResync, type WantedSlot } from '../../domain/configuration-rules.ts';
import { localDateOf } from '../../domain/local-time.ts';
import type { ConfigurationRepositories } from '../../ports/configuration-store.ts';
import { siteSlotDrafts } from '../catalogue/materialise-slots.ts';

/** The repositories a resync uses: a use case that resyncs names them among its own. */
export type ResyncRepositories = 'prefectures' | 'futureSlots';

export interface ResyncReport {
  prefectureId: string;
  fromDate: string;
  toDate: string;
  withdrawn: number;
  updated: number;
  inserted: number;
}

/** `fromDate` is the change's first day; today (prefecture time) if it is earlier or null. */
export async function resyncSlots(
  tx: Pick<ConfigurationRepositories, ResyncRepositories>,
  prefectureId: string,
  fromDate: string | null,
  deps: { now: Date; horizonDays: number },
): Promise<ResyncReport> {
  const prefecture = await tx.prefectures.get(prefectureId);
  if (!prefecture) throw new Error(`unknown prefecture ${prefectureId}`);
  const today = localDateOf(deps.now, prefecture.timeZone);
  const from = fromDate !== null && fromDate > today ? fromDate : today;
  const to = addDays(today, deps.horizonDays);
  if (from > to) return { prefectureId, fromDate: from, toDate: to, withdrawn: 0, updated: 0, inserted: 0 };
  const schedule = await tx.futureSlots.loadSchedule(prefectureId, from, to);
  const wanted: WantedSlot[] = [];
  const siteOf = new Map<string, string>();
  for (const site of schedule.sites) {
    for (const draft of siteSlotDrafts(schedule, site, from, to)) {
      // A slot starting before now (today's past hours) is not offered any more.
      if (draft.startsAt.getTime() <= deps.now.getTime()) continue;
      wanted.push(draft);
      siteOf.set(draft.counterId, site.siteId);
    }
  }
  const existing = await tx.futureSlots.listFrom(prefectureId, from, to, deps.now);
  const applied = await tx.futureSlots.applyPlan(siteOf, planSlotResync(existing, wanted));
  return { prefectureId, fromDate: from, toDate: to, ...applied };
}
