import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h } from '../lib/dom.ts';
import type { Point } from '../lib/history.ts';

// A line chart over time (uPlot): one or more series sharing the x axis of
// the page's look back and its refreshes. Colours come from the theme.

export interface ChartSeries {
  readonly label: string;
  readonly points: () => readonly Point[];
  readonly colour: string;
}

export class TimeChart {
  readonly element: HTMLElement;
  readonly #series: readonly ChartSeries[];
  #plot: uPlot | undefined;
  readonly #title: string;
  readonly #unit: string;

  constructor(title: string, unit: string, series: readonly ChartSeries[]) {
    this.#title = title;
    this.#unit = unit;
    this.#series = series;
    this.element = h('figure', { class: 'chart', 'aria-label': title });
  }

  update(): void {
    const first = this.#series[0]?.points() ?? [];
    const xs = first.map((p) => p.t / 1000);
    const data: uPlot.AlignedData = [xs, ...this.#series.map((s) => s.points().map((p) => p.v))];
    if (!this.#plot) {
      if (xs.length < 2) return;
      const css = getComputedStyle(document.documentElement);
      const colour = (name: string) => css.getPropertyValue(name).trim();
      const axis = {
        stroke: colour('--muted'),
        grid: { stroke: colour('--line'), width: 1 },
        ticks: { stroke: colour('--line') },
      };
      this.#plot = new uPlot(
        {
          title: this.#title,
          width: Math.max(360, (this.element.clientWidth || 480) - 16),
          height: 200,
          series: [
            {},
            // Lines without dots: the live refresh adds a point every 2 s.
            ...this.#series.map((s) => ({
              label: s.label,
              stroke: colour(s.colour),
              width: 2,
              spanGaps: false,
              points: { show: false },
            })),
          ],
          axes: [axis, { ...axis, label: this.#unit, size: 60 }],
          scales: { x: { time: true } },
        },
        data,
        this.element,
      );
      return;
    }
    this.#plot.setData(data);
  }

  destroy(): void {
    this.#plot?.destroy();
  }
}
