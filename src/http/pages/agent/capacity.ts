// Capacity planning (issue 17 part 2), for supervisors and administrators:
//   GET /agent/capacity[?prefecture=&procedure=&target=&horizon=&site=&hours=]
//       the counter-hours a week needed to bring the median wait to `target` days within
//       `horizon` weeks, the wait the current opening hours lead to, a "what if" with `hours`
//       more a week at `site`; an SVG chart of the projected waiting list with its table, and
//       the model in words. A bad field re-shows the form with its errors (400).
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TFunction } from 'i18next';
import { CAPACITY_DEFAULTS, type CapacityPlan } from '../../../app/statistics/plan-capacity.ts';
import type { StatisticsUseCases } from '../../../app/statistics/statistics-use-cases.ts';
import { DEPARTEMENT_CODE_PATTERN } from '../../../domain/identifiers.ts';
import type { Language } from '../../../domain/language.ts';
import { translator } from '../../../i18n/i18n.ts';
import { lineChartSvg } from '../../views/svg-chart.ts';
import { languageOf } from '../../web/render.ts';
import { type FieldError, statusOf } from './../page-forms.ts';
import { agentWith, sendAgentPage } from './agent-area.ts';

const LIMITS = { target: [1, 365], horizon: [1, 52], hours: [0, 1000] } as const;

interface CapacityForm {
  prefecture: string;
  procedure: string;
  target: string;
  horizon: string;
  site: string;
  hours: string;
}

const text = (value: unknown): string => (typeof value === 'string' ? value.trim().slice(0, 64) : '');

/** A number in [min, max] (whole unless `decimal`), or an error message for the field. */
function numberField(
  raw: string,
  [min, max]: readonly [number, number],
  decimal: boolean,
  t: TFunction,
): number | string | undefined {
  if (raw === '') return undefined;
  const value = Number(raw.replace(',', '.'));
  if (!Number.isFinite(value) || value < min || value > max || (!decimal && !Number.isInteger(value)))
    return t(decimal ? 'capacity.errors.decimal' : 'capacity.errors.whole', { min, max });
  return value;
}

const formatNumber = (value: number, lang: Language, digits = 0) =>
  new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'fr-FR', { maximumFractionDigits: digits }).format(value);

/** The figures in words: the current hours and the wait they lead to, the hours needed. */
function summary(plan: CapacityPlan, lang: Language, t: TFunction) {
  const n = (v: number, digits = 0) => formatNumber(v, lang, digits);
  const atHorizon = (p: CapacityPlan['current']) => p[plan.horizonWeeks]!;
  const wait = (days: number | null) =>
    days === null ? t('capacity.never') : t('capacity.days', { count: Math.round(days), n: n(days) });
  const sentences = [
    t('capacity.currentSentence', {
      hours: n(plan.currentHours, 1),
      wait: wait(atHorizon(plan.current).medianWaitDays),
      waiting: n(atHorizon(plan.current).waiting),
      weeks: plan.horizonWeeks,
      interpolation: { escapeValue: false },
    }),
    t('capacity.neededSentence', {
      target: plan.targetDays,
      hours: n(plan.needed.counterHours, 1),
      more: n(Math.max(0, plan.needed.counterHours - plan.currentHours), 1),
      interpolation: { escapeValue: false },
    }),
  ];
  if (plan.whatIf)
    sentences.push(
      t('capacity.whatIfSentence', {
        extra: n(plan.whatIf.extraHours, 1),
        site: plan.whatIf.siteName,
        hours: n(plan.whatIf.hours, 1),
        wait: wait(atHorizon(plan.whatIf.projection).medianWaitDays),
        weeks: plan.horizonWeeks,
        interpolation: { escapeValue: false },
      }),
    );
  return sentences;
}

function chartOf(plan: CapacityPlan, lang: Language, t: TFunction) {
  const series = [
    {
      label: t('capacity.series.current', { hours: formatNumber(plan.currentHours, lang, 1) }),
      projection: plan.current,
    },
    {
      label: t('capacity.series.needed', { hours: formatNumber(plan.needed.counterHours, lang, 1) }),
      projection: plan.underNeeded,
    },
    ...(plan.whatIf
      ? [
          {
            label: t('capacity.series.whatIf', {
              hours: formatNumber(plan.whatIf.hours, lang, 1),
              site: plan.whatIf.siteName,
            }),
            projection: plan.whatIf.projection,
          },
        ]
      : []),
  ];
  const title = t('capacity.chartTitle');
  const weeks = plan.current.map((w) => String(w.week));
  return {
    title,
    svg: lineChartSvg({
      id: 'capacity-chart',
      title,
      description: t('capacity.chartDescription', {
        weeks: plan.current.length - 1,
        figures: series.map((s) => `${s.label} : ${formatNumber(s.projection.at(-1)!.waiting, lang)}`).join(' ; '),
        interpolation: { escapeValue: false },
      }),
      xLabels: weeks.map((w) => t('capacity.weekLabel', { week: w })),
      series: series.map((s) => ({ label: s.label, values: s.projection.map((w) => Math.round(w.waiting)) })),
      formatY: (v) => formatNumber(v, lang),
    }),
    columns: series.flatMap((s) => [
      t('capacity.waitingColumn', { series: s.label }),
      t('capacity.waitColumn', { series: s.label }),
    ]),
    rows: plan.current.map((w, i) => ({
      week: w.week,
      cells: series.flatMap((s) => {
        const p = s.projection[i]!;
        return [
          formatNumber(p.waiting, lang),
          p.medianWaitDays === null ? t('capacity.never') : formatNumber(p.medianWaitDays, lang),
        ];
      }),
    })),
  };
}

export const capacityPages =
  (statistics: Pick<StatisticsUseCases, 'planCapacity' | 'capacityChoices'>): FastifyPluginAsync =>
  async (app) => {
    const tOf = (request: FastifyRequest) => translator(languageOf(request), 'statistics');

    app.get('/agent/capacity', async (request, reply) => {
      const agent = agentWith(request, 'stats.capacity');
      const lang = languageOf(request);
      const t = tOf(request);
      const q = request.query as Record<string, unknown>;
      const form: CapacityForm = {
        prefecture: text(q.prefecture) || (agent.prefectureId ?? ''),
        procedure: text(q.procedure),
        target: text(q.target) || String(CAPACITY_DEFAULTS.targetDays),
        horizon: text(q.horizon) || String(CAPACITY_DEFAULTS.horizonWeeks),
        site: text(q.site),
        hours: text(q.hours),
      };
      const choices = await statistics.capacityChoices(
        agent,
        DEPARTEMENT_CODE_PATTERN.test(form.prefecture) ? form.prefecture : null,
      );
      form.prefecture ||= choices.prefectures[0]?.id ?? '';
      form.procedure ||= choices.procedures[0]?.id ?? '';
      const errors: FieldError[] = [];
      const target = numberField(form.target, LIMITS.target, false, t);
      const horizon = numberField(form.horizon, LIMITS.horizon, false, t);
      const hours = numberField(form.hours, LIMITS.hours, true, t);
      for (const [field, value] of [
        ['target', target],
        ['horizon', horizon],
        ['hours', hours],
      ] as const)
        if (typeof value === 'string') errors.push({ field, message: value });
      if (!DEPARTEMENT_CODE_PATTERN.test(form.prefecture))
        errors.push({ field: 'prefecture', message: t('capacity.errors.prefecture') });
      if (form.site !== '' && hours === undefined)
        errors.push({ field: 'hours', message: t('capacity.errors.hoursNeeded') });
      if (form.site === '' && typeof hours === 'number' && hours > 0)
        errors.push({ field: 'site', message: t('capacity.errors.siteNeeded') });
      let plan: CapacityPlan | null = null;
      if (errors.length === 0 && form.procedure !== '') {
        try {
          plan = await statistics.planCapacity(agent, {
            prefectureId: form.prefecture,
            procedureId: form.procedure,
            targetDays: target as number,
            horizonWeeks: horizon as number,
            whatIf: form.site === '' ? null : { siteId: form.site, extraHours: hours as number },
          });
        } catch (error) {
          // An unknown what-if site is the form's error; anything else (scope, 404) is the page's.
          if (!(error instanceof Error && 'code' in error && error.code === 'VALIDATION_FAILED')) throw error;
          errors.push({ field: 'site', message: t('capacity.errors.site') });
        }
      }
      return sendAgentPage(
        request,
        reply,
        'agent/statistics/capacity',
        {
          title: t('capacity.title'),
          form,
          errors,
          choices,
          plan,
          sites: plan?.sites ?? choices.sites.map((site) => ({ ...site, counterHours: null })),
          summary: plan ? summary(plan, lang, t) : [],
          chart: plan ? chartOf(plan, lang, t) : null,
          isAdmin: agent.role === 'admin',
        },
        errors.length > 0 ? statusOf('VALIDATION_FAILED') : 200,
      );
    });
  };
