// What the public numbers' pages show, built from the use cases' answers: per chart, the SVG
// and the table beside it (same figures, suppressed weeks marked), in the page's language;
// and the open data as CSV and JSON (one row per prefecture, procedure and week).
import type { TFunction } from 'i18next';
import { csvDocument } from '../../app/shared/csv.ts';
import type { OpenData, PrefectureStatistics } from '../../app/statistics/view-public-statistics.ts';
import type { Language } from '../../domain/language.ts';
import {
  CHART_IDS,
  type ChartId,
  type Figure,
  INDICATORS,
  type IndicatorUnit,
  OPEN_LICENCE,
  PRESSURE_INDICATORS,
} from '../../domain/public-statistics.ts';
import { lineChartSvg } from './svg-chart.ts';

export interface StatisticsSection {
  id: string;
  title: string;
  svg: string;
  columns: string[];
  rows: { week: string; cells: string[] }[];
  note?: string;
}

const locale = (lang: Language) => (lang === 'fr' ? 'fr-FR' : 'en-GB');

// Built once: a page formats about 1,200 figures, and a NumberFormat costs more to make than to use.
const FORMATS = new Map<string, Intl.NumberFormat>();
function numberFormat(unit: IndicatorUnit, lang: Language): Intl.NumberFormat {
  const key = `${lang}|${unit}`;
  let format = FORMATS.get(key);
  if (!format) {
    format = new Intl.NumberFormat(
      locale(lang),
      unit === 'share'
        ? { style: 'percent', maximumFractionDigits: 1 }
        : { maximumFractionDigits: unit === 'days' ? 1 : 0 },
    );
    FORMATS.set(key, format);
  }
  return format;
}

/** A value for people to read: 14.5 → "14,5" (fr), 0.25 → "25 %", counts as integers. */
export function formatValue(value: number, unit: IndicatorUnit, lang: Language): string {
  return numberFormat(unit, lang).format(value);
}

export function formatFigure(figure: Figure, unit: IndicatorUnit, lang: Language, t: TFunction): string {
  if (figure.status === 'suppressed') return t('statistics:page.suppressed');
  if (figure.value === null) return t('statistics:page.none');
  return formatValue(figure.value, unit, lang);
}

/** The page's sections: one per chart of INDICATORS, then the national automation counts. */
export function statisticsSections(stats: PrefectureStatistics, lang: Language, t: TFunction): StatisticsSection[] {
  const weeks = stats.published.map((w) => w.weekStart);
  // The last complete week is the one before the current (partial) week.
  const latest = stats.published.length - 2;
  const sections = CHART_IDS.map((chart: ChartId) => {
    const indicators = INDICATORS.filter((i) => i.chart === chart);
    // Counts of people drawn beside a quantile are in the table only: one scale per chart.
    const drawn = indicators.filter((i) => indicators.every((j) => j.unit === i.unit) || i.unit !== 'count');
    const title = t(`statistics:charts.${chart}`);
    const latestText = drawn
      .map(
        (i) =>
          `${t(`statistics:indicators.${i.id}.label`)} ${formatFigure(stats.published[latest]!.figures[i.id]!, i.unit, lang, t)}`,
      )
      .join(', ');
    return {
      id: `chart-${chart}`,
      title,
      svg: lineChartSvg({
        id: `chart-${chart}`,
        title,
        description: t('statistics:page.chartDescription', {
          weeks: weeks.length,
          week: weeks[latest],
          latest: latestText,
          interpolation: { escapeValue: false },
        }),
        xLabels: weeks,
        series: drawn.map((i) => ({
          label: t(`statistics:indicators.${i.id}.label`),
          values: stats.published.map((w) => w.figures[i.id]!.value),
        })),
        formatY: (v) => formatValue(v, drawn[0]!.unit, lang),
      }),
      columns: indicators.map((i) => t(`statistics:indicators.${i.id}.label`)),
      rows: stats.published.map((w) => ({
        week: w.weekStart,
        cells: indicators.map((i) => formatFigure(w.figures[i.id]!, i.unit, lang, t)),
      })),
    };
  });
  const pressureTitle = t('statistics:charts.pressure');
  const pressureValues = (id: 'pow_refused' | 'rate_limited') =>
    stats.pressure.map((p) => (id === 'pow_refused' ? p.powRefused : p.rateLimited));
  sections.push({
    id: 'chart-pressure',
    title: pressureTitle,
    svg: lineChartSvg({
      id: 'chart-pressure',
      title: pressureTitle,
      description: t('statistics:page.chartDescription', {
        weeks: weeks.length,
        week: weeks[latest],
        latest: PRESSURE_INDICATORS.map(
          (i) =>
            `${t(`statistics:indicators.${i.id}.label`)} ${formatValue(pressureValues(i.id)[latest] ?? 0, 'count', lang)}`,
        ).join(', '),
        interpolation: { escapeValue: false },
      }),
      xLabels: weeks,
      series: PRESSURE_INDICATORS.map((i) => ({
        label: t(`statistics:indicators.${i.id}.label`),
        values: pressureValues(i.id),
      })),
      formatY: (v) => formatValue(v, 'count', lang),
    }),
    columns: PRESSURE_INDICATORS.map((i) => t(`statistics:indicators.${i.id}.label`)),
    rows: stats.pressure.map((p) => ({
      week: p.weekStart,
      cells: [formatValue(p.powRefused, 'count', lang), formatValue(p.rateLimited, 'count', lang)],
    })),
  });
  return sections;
}

export const OPEN_DATA_COLUMNS = ['prefecture_id', 'prefecture', 'procedure_id', 'procedure', 'week_start'] as const;

/**
 * The open data as CSV, always in the French dialect (semicolons, decimal comma, BOM: what
 * French spreadsheets open), so a dataset's URL always serves the same format. A suppressed
 * figure is an empty cell, its id listed in the last column.
 */
export function openDataCsv(data: OpenData): string {
  const header = [...OPEN_DATA_COLUMNS, ...INDICATORS.map((i) => i.id), 'suppressed'];
  const rows = data.rows.map((r) => [
    r.prefectureId,
    r.prefectureName,
    r.procedureId,
    r.procedureNameFr ?? '',
    r.week.weekStart,
    ...INDICATORS.map((i) => {
      const value = r.week.figures[i.id]!.value;
      return value === null ? '' : Number(value.toFixed(4));
    }),
    suppressedOf(r.week.figures).join(' '),
  ]);
  return csvDocument(header, rows, { separator: ';', decimal: ',' });
}

const suppressedOf = (figures: Record<string, Figure>): string[] =>
  INDICATORS.filter((i) => figures[i.id]!.status === 'suppressed').map((i) => i.id);

export function openDataJson(data: OpenData, urls: { self: string; dictionary: string }) {
  return {
    title: 'Créneau — chiffres publics des rendez-vous des services des étrangers',
    licence: OPEN_LICENCE.name,
    licence_url: OPEN_LICENCE.url,
    source: 'Créneau, ministère de l’Intérieur',
    url: urls.self,
    dictionary: urls.dictionary,
    computed_at: data.computedAt?.toISOString() ?? null,
    prefecture_id: data.prefectureId,
    rows: data.rows.map((r) => ({
      prefecture_id: r.prefectureId,
      prefecture: r.prefectureName,
      procedure_id: r.procedureId,
      procedure: r.procedureNameFr,
      week_start: r.week.weekStart,
      figures: Object.fromEntries(
        INDICATORS.map((i) => {
          const value = r.week.figures[i.id]!.value;
          return [i.id, value === null ? null : Number(value.toFixed(4))];
        }),
      ),
      suppressed: suppressedOf(r.week.figures),
    })),
    pressure: data.pressure.map((p) => ({
      week_start: p.weekStart,
      pow_refused: p.powRefused,
      rate_limited: p.rateLimited,
    })),
  };
}

/** The data dictionary, in both languages (the JSON one; the page shows the page's language). */
export function dataDictionary(tFr: TFunction, tEn: TFunction) {
  const both = (key: string) => ({ fr: tFr(key), en: tEn(key) });
  return {
    title: both('statistics:dictionary.title'),
    licence: OPEN_LICENCE.name,
    licence_url: OPEN_LICENCE.url,
    suppression: both('statistics:dictionary.secrecy'),
    columns: [...OPEN_DATA_COLUMNS, 'suppressed'].map((id) => ({
      id,
      definition: both(`statistics:dictionary.${id}`),
    })),
    indicators: [...INDICATORS, ...PRESSURE_INDICATORS].map((i) => ({
      id: i.id,
      unit: i.unit,
      subject: i.subject,
      suppressed_under: i.subject === 'people' ? 10 : null,
      label: both(`statistics:indicators.${i.id}.label`),
      definition: both(`statistics:indicators.${i.id}.definition`),
    })),
  };
}
