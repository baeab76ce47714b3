// The report as an SVG chart: grouped bars, one group per metric, one bar per policy.
// Written by hand (a string) so it has no dependency and stays accessible: role="img" with
// a <title> and a <desc> that states every figure, every bar labelled with its value and
// its policy in text (colour is never the only cue), colours from the Okabe–Ito palette
// (distinguishable with the common colour-vision deficiencies).
import type { PolicyName } from './bots.ts';
import type { PolicyMetrics } from './metrics.ts';
import type { SimulationReport } from './simulate.ts';

type Metric = 'resellerShare' | 'humanSuccessRate' | 'urgentServedInTime';

const METRICS: ReadonlyArray<{ key: Metric; label: string; lines: string[] }> = [
  {
    key: 'resellerShare',
    label: 'Slots ending with resellers',
    lines: ['Slots ending', 'with resellers', '(lower is better)'],
  },
  {
    key: 'humanSuccessRate',
    label: 'Applicants served on their own',
    lines: ['Applicants served', 'on their own', '(higher is better)'],
  },
  {
    key: 'urgentServedInTime',
    label: 'Urgent applicants served in time',
    lines: ['Urgent applicants', 'served in time', '(higher is better)'],
  },
];

const POLICY_STYLE: Record<PolicyName, { lines: string[]; legend: string; colour: string }> = {
  fcfs: { lines: ['fcfs'], legend: 'fcfs — direct booking, no protection', colour: '#D55E00' },
  fcfsProtected: {
    lines: ['fcfs', 'protected'],
    legend: 'fcfsProtected — direct booking with Créneau’s protections',
    colour: '#E69F00',
  },
  oneFlow: {
    lines: ['oneFlow'],
    legend: 'oneFlow — requests, draws by class, batch and lottery; leftovers open',
    colour: '#0072B2',
  },
};

const WIDTH = 760;
const HEIGHT = 500;
const PLOT = { left: 70, right: WIDTH - 20, top: 110, bottom: HEIGHT - 140 };
const BAR = 56;
const GAP = 10;

const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const percent = (share: number): string => `${Math.round(share * 100)} %`;

export function renderChart(
  report: Pick<SimulationReport, 'policies' | 'weeks' | 'scale' | 'seed' | 'resellerIdentityShare'>,
): string {
  const policies = Object.keys(report.policies) as PolicyName[];
  const title = `Who gets the slots — ${report.weeks} weeks, ${report.scale.toLocaleString('en')} appointments a year, seed ${report.seed}`;
  const desc = [
    `Grouped bar chart, percentages from 0 to 100. Resellers rent ${percent(report.resellerIdentityShare)} of applicants' identities.`,
    ...METRICS.map(
      ({ key, label }) => `${label}: ${policies.map((p) => `${p} ${percent(report.policies[p][key])}`).join(', ')}.`,
    ),
  ].join(' ');

  const y = (share: number) => PLOT.bottom - share * (PLOT.bottom - PLOT.top);
  const groupWidth = (PLOT.right - PLOT.left) / METRICS.length;
  const barsWidth = policies.length * BAR + (policies.length - 1) * GAP;
  const parts: string[] = [];

  // Grid and the y axis.
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(
      `<line x1="${PLOT.left}" y1="${y(tick)}" x2="${PLOT.right}" y2="${y(tick)}" stroke="${tick === 0 ? '#1e1e1e' : '#d0d0d0'}" stroke-width="1"/>`,
    );
    parts.push(
      `<text x="${PLOT.left - 8}" y="${y(tick) + 4}" text-anchor="end" font-size="12">${percent(tick)}</text>`,
    );
  }
  const middleY = (PLOT.top + PLOT.bottom) / 2;
  parts.push(
    `<text x="18" y="${middleY}" transform="rotate(-90 18 ${middleY})" text-anchor="middle" font-size="13">Share (%)</text>`,
  );

  // Bars, their values, their policies, and the group labels.
  METRICS.forEach(({ key, label, lines }, g) => {
    const start = PLOT.left + g * groupWidth + (groupWidth - barsWidth) / 2;
    policies.forEach((policy, p) => {
      const value = (report.policies[policy] as PolicyMetrics)[key];
      const x = start + p * (BAR + GAP);
      const style = POLICY_STYLE[policy];
      parts.push(
        `<rect x="${x}" y="${y(value)}" width="${BAR}" height="${Math.max(0, PLOT.bottom - y(value))}" fill="${style.colour}"><title>${escapeXml(`${policy}, ${label}: ${percent(value)}`)}</title></rect>`,
      );
      parts.push(
        `<text x="${x + BAR / 2}" y="${y(value) - 5}" text-anchor="middle" font-size="12" font-weight="bold">${percent(value)}</text>`,
      );
      style.lines.forEach((line, l) => {
        parts.push(
          `<text x="${x + BAR / 2}" y="${PLOT.bottom + 16 + l * 12}" text-anchor="middle" font-size="10">${escapeXml(line)}</text>`,
        );
      });
    });
    lines.forEach((line, l) => {
      const weight = l < lines.length - 1 ? ' font-weight="bold"' : '';
      parts.push(
        `<text x="${PLOT.left + (g + 0.5) * groupWidth}" y="${PLOT.bottom + 52 + l * 16}" text-anchor="middle" font-size="13"${weight}>${escapeXml(line)}</text>`,
      );
    });
  });
  parts.push(
    `<text x="${(PLOT.left + PLOT.right) / 2}" y="${HEIGHT - 22}" text-anchor="middle" font-size="13">Metric, by policy (same arrivals, same slots)</text>`,
  );

  // Legend.
  policies.forEach((policy, p) => {
    const legendY = 52 + p * 18;
    parts.push(
      `<rect x="${PLOT.left}" y="${legendY - 10}" width="12" height="12" fill="${POLICY_STYLE[policy].colour}"/>`,
    );
    parts.push(
      `<text x="${PLOT.left + 18}" y="${legendY}" font-size="12">${escapeXml(POLICY_STYLE[policy].legend)}</text>`,
    );
  });

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="chart-title chart-desc" font-family="Marianne, Arial, sans-serif" fill="#1e1e1e">`,
    `<title id="chart-title">${escapeXml(title)}</title>`,
    `<desc id="chart-desc">${escapeXml(desc)}</desc>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="28" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
