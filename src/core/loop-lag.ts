import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

// Event-loop lag as a metric (issue 16): how late timers and I/O callbacks run. Every request's
// acknowledgement shares this loop, so lag is what a person waits for before "Checking…" shows.
// Sampled by Node's histogram (10 ms resolution); read as milliseconds.

export interface LagFigures {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export class LoopLag {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });

  constructor() {
    this.histogram.enable();
  }

  figures(): LagFigures {
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    return { p50Ms: ms(this.histogram.percentile(50)), p99Ms: ms(this.histogram.percentile(99)), maxMs: ms(this.histogram.max) };
  }

  reset(): void {
    this.histogram.reset();
  }

  stop(): void {
    this.histogram.disable();
  }
}
