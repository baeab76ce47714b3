// A weekly line chart as server-rendered SVG (issue 17): no script, no chart library. The
// figure is an image with a name and a description (role="img", <title>, <desc>, referenced
// by aria-labelledby); the page puts a table with the same figures beside it, which is what a
// screen reader user reads. Series differ by dash as well as colour (RGAA 3.2: colour is
// never the only carrier), and a missing or suppressed week is a gap in the line, not a 0.
import { escapeHtml } from './escape-html.ts';

export interface ChartSeries {
  label: string;
  values: readonly (number | null)[];
}

export interface LineChart {
  /** Unique on the page: the ids of <title> and <desc> derive from it. */
  id: string;
  title: string;
  description: string;
  /** One label per point, e.g. the weeks' Mondays "2026-01-05". */
  xLabels: readonly string[];
  series: readonly ChartSeries[];
  /** Axis tick text: 14 → "14 j", 0.25 → "25 %". */
  formatY: (value: number) => string;
  /** Show one x label in `xEvery` (13: about a quarter of a year of weeks). */
  xEvery?: number;
}

const WIDTH = 720;
const PLOT_HEIGHT = 188;
const PAD = { top: 16, right: 16, left: 56 };
/** Below the plot: the week labels, then one legend line per series (long labels never overlap). */
const LABELS_HEIGHT = 30;
const LEGEND_LINE = 18;
// DSFR's blue France and red Marianne, and a dark grey: each above 4.5:1 on white.
const STYLES = [
  { color: '#000091', dash: '' },
  { color: '#c9191e', dash: '6 4' },
  { color: '#3a3a3a', dash: '2 3' },
];

/** A round step giving about 4 ticks up to `max` (1, 2, 5 × 10^n). */
export function niceStep(max: number): number {
  if (max <= 0) return 1;
  const raw = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  return step;
}

const round = (n: number) => Math.round(n * 10) / 10;

export function lineChartSvg(chart: LineChart): string {
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = PLOT_HEIGHT;
  const height = PAD.top + plotH + LABELS_HEIGHT + LEGEND_LINE * chart.series.length + 4;
  const all = chart.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const step = niceStep(Math.max(0, ...all));
  const top = Math.max(step, Math.ceil(Math.max(0, ...all) / step) * step);
  const n = chart.xLabels.length;
  const x = (i: number) => round(PAD.left + (n <= 1 ? plotW / 2 : (i * plotW) / (n - 1)));
  const y = (v: number) => round(PAD.top + plotH - (v / top) * plotH);
  const parts: string[] = [];
  for (let v = 0; v <= top + step / 2; v += step) {
    parts.push(
      `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(v)}" y2="${y(v)}" stroke="#dddddd"/>`,
      `<text x="${PAD.left - 6}" y="${y(v) + 4}" text-anchor="end">${escapeHtml(chart.formatY(v))}</text>`,
    );
  }
  const every = chart.xEvery ?? 13;
  chart.xLabels.forEach((label, i) => {
    if (i % every !== 0 && i !== n - 1) return;
    parts.push(`<text x="${x(i)}" y="${PAD.top + plotH + 18}" text-anchor="middle">${escapeHtml(label)}</text>`);
  });
  chart.series.forEach((series, s) => {
    const style = STYLES[s % STYLES.length]!;
    // One path, a new "M" after each gap: a suppressed week breaks the line.
    let d = '';
    let pen = false;
    series.values.forEach((v, i) => {
      if (v === null) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${x(i)} ${y(v)} `;
      pen = true;
    });
    if (d)
      parts.push(
        `<path d="${d.trim()}" fill="none" stroke="${style.color}" stroke-width="2"${style.dash ? ` stroke-dasharray="${style.dash}"` : ''}/>`,
      );
    // Isolated points (a week between two gaps) stay visible.
    series.values.forEach((v, i) => {
      if (v !== null && series.values[i - 1] == null && series.values[i + 1] == null)
        parts.push(`<circle cx="${x(i)}" cy="${y(v)}" r="3" fill="${style.color}"/>`);
    });
    const lx = PAD.left;
    const ly = PAD.top + plotH + LABELS_HEIGHT + LEGEND_LINE * (s + 1) - 4;
    parts.push(
      `<line x1="${lx}" x2="${lx + 28}" y1="${ly - 4}" y2="${ly - 4}" stroke="${style.color}" stroke-width="2"${style.dash ? ` stroke-dasharray="${style.dash}"` : ''}/>`,
      `<text x="${lx + 34}" y="${ly}">${escapeHtml(series.label)}</text>`,
    );
  });
  const id = escapeHtml(chart.id);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 ${WIDTH} ${height}" class="creneau-chart" font-family="Marianne, Arial, sans-serif" font-size="12" fill="#3a3a3a">`,
    `<title id="${id}-title">${escapeHtml(chart.title)}</title>`,
    `<desc id="${id}-desc">${escapeHtml(chart.description)}</desc>`,
    `<line x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${PAD.top + plotH}" stroke="#666666"/>`,
    ...parts,
    '</svg>',
  ].join('\n');
}
