// The server-rendered chart: an image with a name and a description, text escaped, a gap in
// the line for a suppressed week (never a drop to 0), round ticks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lineChartSvg, niceStep } from '../../src/http/views/svg-chart.ts';

describe('line chart SVG', () => {
  const chart = (values: (number | null)[]) =>
    lineChartSvg({
      id: 'chart-wait',
      title: 'Délai <médian>',
      description: 'Évolution & tableau',
      xLabels: values.map((_, i) => `2026-01-${String(i + 5).padStart(2, '0')}`),
      series: [
        { label: 'Médiane', values },
        { label: 'P90', values: values.map((v) => (v === null ? null : v * 2)) },
      ],
      formatY: (v) => `${v} j`,
    });

  it('is an image named by its title and description, with its text escaped', () => {
    const svg = chart([1, 2, 3]);
    assert.match(svg, /^<svg [^>]*role="img" aria-labelledby="chart-wait-title chart-wait-desc"/);
    assert.match(svg, /<title id="chart-wait-title">Délai &lt;médian&gt;<\/title>/);
    assert.match(svg, /<desc id="chart-wait-desc">Évolution &amp; tableau<\/desc>/);
    assert.match(svg, /stroke-dasharray="6 4"/, 'the second series differs by its dash, not only its colour');
  });

  it('breaks the line at a missing week and marks an isolated point', () => {
    const svg = chart([4, 5, null, 6, null, 7, 8]);
    const first = /<path d="([^"]+)"/.exec(svg)![1]!;
    assert.equal(first.match(/M/g)!.length, 3, 'three runs: 4–5, 6, 7–8');
    assert.equal((svg.match(/<circle /g) ?? []).length, 2, 'the lone 6 of each series');
    assert.doesNotMatch(chart([null, null]), /<path /, 'nothing to draw');
  });

  it('chooses round ticks', () => {
    assert.equal(niceStep(40), 10);
    assert.equal(niceStep(7), 2);
    assert.equal(niceStep(0.3), 0.1);
    assert.equal(niceStep(0), 1);
  });
});
