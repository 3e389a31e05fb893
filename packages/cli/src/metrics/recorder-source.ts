import type { VizClient } from '../viz/client.ts';
import type { ScrapePair, TargetHealth } from '../viz/recorder.ts';
import type { Workload } from '../viz/workload.ts';
import { goldenRows } from './golden.ts';
import type { Sample } from './prom-text.ts';
import {
  type GoldenResult,
  type GoldenSelector,
  type Matchers,
  type MetricsSource,
  matches,
  type PodInfo,
} from './source.ts';

// Figures from the viz server's recorder: the first and last scrape of each
// proxy inside the window, subtracted here. The CLI reads the recorder over
// the viz API; the viz server's own pages read it in process, through the
// same code, so both show the same figures.

/** What the source needs of a recorder: its workloads and its scrape pairs. */
export interface RecorderReader {
  workloads(): Promise<readonly (Workload & { health: TargetHealth })[]>;
  /** `at`: the window's end, in ms since the epoch; now when absent. */
  scrapes(windowSeconds: number, at?: number): Promise<readonly ScrapePair[]>;
}

/** The recorder of a viz server, over its HTTP API. */
export function recorderOverApi(viz: VizClient): RecorderReader {
  return {
    workloads: async () => (await viz.inventory()).workloads,
    scrapes: async (windowSeconds, at) =>
      (await viz.get<{ targets: ScrapePair[] }>(`/api/v1/scrapes?window=${windowSeconds}${at ? `&at=${at}` : ''}`))
        .targets,
  };
}

export class RecorderSource implements MetricsSource {
  readonly kind = 'recorder';
  readonly #reader: RecorderReader;

  constructor(reader: RecorderReader) {
    this.#reader = reader;
  }

  async pods(): Promise<PodInfo[]> {
    const workloads = await this.#reader.workloads();
    return workloads.map((w) => ({
      namespace: w.namespace,
      deployment: w.deployment,
      pod: w.pod,
      services: w.services,
      up: w.health.up,
    }));
  }

  async #pairs(windowSeconds: number, at?: number): Promise<{ before: Sample[]; after: Sample[]; seconds: number }> {
    const targets = await this.#reader.scrapes(windowSeconds, at);
    // Right after `weft dev` starts no proxy has two scrapes yet: no figures, not an error.
    if (targets.length === 0) return { before: [], after: [], seconds: 0 };
    // Each proxy's figures span its own first and last scrape; they differ by
    // at most one scrape interval, so the longest stands for all.
    const seconds = Math.max(...targets.map((t) => (t.last.at - t.first.at) / 1000));
    return {
      before: targets.flatMap((t) => t.first.samples),
      after: targets.flatMap((t) => t.last.samples),
      seconds,
    };
  }

  async golden(selector: GoldenSelector, windowSeconds: number, at?: number): Promise<GoldenResult> {
    const { before, after, seconds } = await this.#pairs(windowSeconds, at);
    const tcp = selector.tcpMatch;
    const rows = goldenRows(before, after, seconds, {
      family: selector.family,
      groupBy: selector.groupBy,
      where: (l) => matches(l, selector.match),
      tcpWhere: (l) => tcp !== undefined && matches(l, tcp),
    });
    return { rows, windowSeconds: seconds };
  }

  async active(names: readonly string[], match: Matchers, windowSeconds: number): Promise<Sample[]> {
    const { before, after } = await this.#pairs(windowSeconds);
    const previous = new Map(before.map((s) => [seriesKey(s), s.value]));
    return after.filter(
      (s) => names.includes(s.name) && matches(s.labels, match) && s.value !== (previous.get(seriesKey(s)) ?? 0),
    );
  }
}

function seriesKey(s: Sample): string {
  return `${s.name}${JSON.stringify(Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
}
