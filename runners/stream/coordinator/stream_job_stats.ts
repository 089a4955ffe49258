/**
 * The stream runner's own metrics: per task records in and out, watermark
 * and output buffer usage (summed or reduced over its subtasks), checkpoint
 * count, duration and size, and restarts. They feed the progress line and
 * dashboard while the job runs, `result.metrics()` (under `stream/`), and
 * the summary printed at the end.
 */
import type { MetricResults } from "../../../model/pipeline_result";
import type { JobProgress } from "../../core/progress";
import type { JobGraph } from "../job_graph";
import type { SubtaskStatus } from "../worker/subtask";

/** One task's figures over its subtasks. */
export interface TaskFigures {
  readonly task: string;
  readonly recordsIn: number;
  readonly recordsOut: number;
  /** The lowest output watermark of its subtasks. */
  readonly watermark: number;
  /** The highest output buffer usage of its subtasks (0..1). */
  readonly bufferUsage: number;
  /** The most buffers / records ever in flight on one of its output channels. */
  readonly maxBuffersInFlight: number;
  readonly maxRecordsInFlight: number;
  readonly maxBacklogRecords: number;
}

/** Collects status reports and checkpoint results. */
export class StreamJobStats {
  private readonly latest: (readonly SubtaskStatus[] | undefined)[];
  restarts = 0;
  private checkpointDurations: number[] = [];
  private checkpointSizes: number[] = [];

  constructor(
    private readonly graph: JobGraph,
    parallelism: number,
    private readonly progress: JobProgress,
  ) {
    this.latest = new Array(parallelism).fill(undefined);
  }

  /** A task manager's report. */
  update(worker: number, subtasks: readonly SubtaskStatus[]): void {
    this.latest[worker] = subtasks;
    this.publish();
  }

  /** A checkpoint completed. */
  checkpointCompleted(id: number, durationMs: number, sizeBytes: number): void {
    this.checkpointDurations.push(durationMs);
    this.checkpointSizes.push(sizeBytes);
    this.progress.addCheckpoint({ id, durationMs, sizeBytes, completedAt: Date.now() });
    this.publish();
  }

  /** Per task figures. */
  tasks(): TaskFigures[] {
    return this.graph.vertices.map((v) => {
      let recordsIn = 0;
      let recordsOut = 0;
      let watermark = Infinity;
      let bufferUsage = 0;
      let maxBuffersInFlight = 0;
      let maxRecordsInFlight = 0;
      let maxBacklogRecords = 0;
      let reported = false;
      for (const subtasks of this.latest) {
        const s = subtasks?.[v.index];
        if (!s) continue;
        reported = true;
        recordsIn += s.recordsIn;
        recordsOut += s.recordsOut;
        watermark = Math.min(watermark, s.outputWatermark);
        bufferUsage = Math.max(bufferUsage, s.outputBufferUsage);
        maxBuffersInFlight = Math.max(maxBuffersInFlight, s.maxBuffersInFlight);
        maxRecordsInFlight = Math.max(maxRecordsInFlight, s.maxRecordsInFlight);
        maxBacklogRecords = Math.max(maxBacklogRecords, s.maxBacklogRecords);
      }
      return {
        task: v.id,
        recordsIn,
        recordsOut,
        watermark: reported ? watermark : -Infinity,
        bufferUsage,
        maxBuffersInFlight,
        maxRecordsInFlight,
        maxBacklogRecords,
      };
    });
  }

  /** Updates the job's progress. */
  publish(): void {
    const tasks = this.tasks();
    let elementsIn = 0;
    let elementsOut = 0;
    let watermark = Infinity;
    for (const t of tasks) {
      const counts = this.progress.stage(t.task);
      counts.elementsIn = t.recordsIn;
      counts.elementsOut = t.recordsOut;
      elementsIn += t.recordsIn;
      watermark = Math.min(watermark, t.watermark);
    }
    for (const subtasks of this.latest) for (const s of subtasks ?? []) elementsOut += s.terminalOut;
    this.progress.elementsIn = elementsIn;
    this.progress.elementsOut = elementsOut;
    this.progress.watermark = tasks.length === 0 ? Infinity : watermark;
    const busiest = Math.max(0, ...tasks.map((t) => t.bufferUsage));
    this.progress.detail = `${this.graph.vertices.length} tasks x ${this.latest.length}, buffers ${Math.round(busiest * 100)}% used${this.restarts > 0 ? `, ${this.restarts} restart(s)` : ""}`;
  }

  /** The runner's metrics for `result.metrics()`. */
  addTo(totals: MetricResults): void {
    const now = Date.now();
    for (const t of this.tasks()) {
      totals.counters[`stream/${t.task}/recordsIn`] = t.recordsIn;
      totals.counters[`stream/${t.task}/recordsOut`] = t.recordsOut;
      totals.gauges[`stream/${t.task}/watermark`] = { value: t.watermark, timestamp: now };
      totals.gauges[`stream/${t.task}/bufferUsage`] = { value: t.bufferUsage, timestamp: now };
      totals.gauges[`stream/${t.task}/maxRecordsInFlight`] = { value: t.maxRecordsInFlight, timestamp: now };
      totals.gauges[`stream/${t.task}/maxBuffersInFlight`] = { value: t.maxBuffersInFlight, timestamp: now };
      totals.gauges[`stream/${t.task}/maxBacklogRecords`] = { value: t.maxBacklogRecords, timestamp: now };
    }
    totals.counters["stream/checkpoints"] = this.checkpointDurations.length;
    totals.counters["stream/restarts"] = this.restarts;
    if (this.checkpointDurations.length > 0) {
      const d = this.checkpointDurations;
      const s = this.checkpointSizes;
      totals.distributions["stream/checkpointDurationMs"] = {
        sum: d.reduce((a, b) => a + b, 0),
        count: d.length,
        min: Math.min(...d),
        max: Math.max(...d),
      };
      totals.distributions["stream/checkpointSizeBytes"] = {
        sum: s.reduce((a, b) => a + b, 0),
        count: s.length,
        min: Math.min(...s),
        max: Math.max(...s),
      };
    }
  }

  /** The summary printed when the job ends. */
  summary(): string {
    const rows = this.tasks().map(
      (t) =>
        `  ${t.task.padEnd(32)} in ${t.recordsIn.toLocaleString("en-US").padStart(12)}  out ${t.recordsOut.toLocaleString("en-US").padStart(12)}  max buffers ${Math.round(t.bufferUsage * 100)}%`,
    );
    const d = this.checkpointDurations;
    const cp =
      d.length === 0
        ? "no checkpoints"
        : `${d.length} checkpoint(s), last ${Math.round(d.at(-1)!)} ms, ${this.checkpointSizes.at(-1)!.toLocaleString("en-US")} bytes`;
    return [`stream runner: ${cp}, ${this.restarts} restart(s)`, ...rows].join("\n");
  }
}
