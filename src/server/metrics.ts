/**
 * A minimal Prometheus registry (counters and histograms with labels) rendered in the text exposition format.
 * Kept in-process: each server replica reports its own counters; gauges read from the database at scrape time.
 */
type Labels = Record<string, string>;

const labelKey = (labels: Labels) =>
  Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`)
    .join(",");

const withLabels = (name: string, key: string) => (key === "" ? name : `${name}{${key}}`);

export class Counter {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [key, value] of this.values) lines.push(`${withLabels(this.name, key)} ${value}`);
    return lines.join("\n");
  }
}

export class Histogram {
  private readonly series = new Map<string, { buckets: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    /** Upper bounds in the histogram's unit (seconds), ascending. */
    readonly bounds: readonly number[],
  ) {}

  observe(value: number, labels: Labels = {}): void {
    const key = labelKey(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { buckets: this.bounds.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    for (let i = 0; i < this.bounds.length; i++) if (value <= this.bounds[i]!) s.buckets[i]!++;
    s.sum += value;
    s.count++;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [key, s] of this.series) {
      const sep = key === "" ? "" : ",";
      this.bounds.forEach((bound, i) => {
        lines.push(`${this.name}_bucket{${key}${sep}le="${bound}"} ${s.buckets[i]}`);
      });
      lines.push(`${this.name}_bucket{${key}${sep}le="+Inf"} ${s.count}`);
      lines.push(`${withLabels(`${this.name}_sum`, key)} ${s.sum}`);
      lines.push(`${withLabels(`${this.name}_count`, key)} ${s.count}`);
    }
    return lines.join("\n");
  }
}

/** A gauge whose samples are computed at scrape time (e.g. from the database). */
export function renderGauge(name: string, help: string, samples: Array<[Labels, number]>): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`];
  for (const [labels, value] of samples) lines.push(`${withLabels(name, labelKey(labels))} ${value}`);
  return lines.join("\n");
}

const LATENCY_BOUNDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** The server's own metrics. */
export class ServerMetrics {
  readonly events = new Counter("noetl_events_total", "Events accepted, by name.");
  readonly commandsQueued = new Counter(
    "noetl_commands_queued_total",
    "Commands the engine queued, by kind.",
  );
  readonly executionsEnded = new Counter("noetl_executions_ended_total", "Executions that ended, by status.");
  readonly leaseConflicts = new Counter("noetl_lease_conflicts_total", "Worker reports refused: lease lost.");
  readonly stepDuration = new Histogram(
    "noetl_step_duration_seconds",
    "Step run duration from start to done, by step status.",
    LATENCY_BOUNDS,
  );
  readonly claimLatency = new Histogram(
    "noetl_claim_latency_seconds",
    "Time a command waited in the queue between becoming runnable and being claimed.",
    LATENCY_BOUNDS,
  );
  readonly eventHandling = new Histogram(
    "noetl_event_transaction_seconds",
    "Time to apply one event batch (the orchestration transaction).",
    LATENCY_BOUNDS,
  );

  render(): string {
    return [
      this.events,
      this.commandsQueued,
      this.executionsEnded,
      this.leaseConflicts,
      this.stepDuration,
      this.claimLatency,
      this.eventHandling,
    ]
      .map((m) => m.render())
      .join("\n");
  }
}
