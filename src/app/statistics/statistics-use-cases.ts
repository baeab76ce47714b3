// The public numbers' use cases, bound to their ports: the weekly-figures job, the public
// pages and open data, the administrators' national view.
import { bindUseCases } from '../shared/use-cases.ts';
import { computeWeeklyFigures, startWeeklyFiguresJob } from './compute-weekly-figures.ts';
import { capacityChoices, planCapacity } from './plan-capacity.ts';
import type { StatisticsContext } from './statistics-context.ts';
import {
  listStatisticsPrefectures,
  openData,
  viewNationalStatistics,
  viewPrefectureStatistics,
} from './view-public-statistics.ts';

export const statisticsUseCases = (ctx: StatisticsContext) =>
  bindUseCases(ctx, {
    computeWeeklyFigures,
    startWeeklyFiguresJob,
    listStatisticsPrefectures,
    viewPrefectureStatistics,
    openData,
    viewNationalStatistics,
    planCapacity,
    capacityChoices,
  });

export type StatisticsUseCases = ReturnType<typeof statisticsUseCases>;
