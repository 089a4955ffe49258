/**
 * The stream runner's CheckpointCoordinator alone, as Flink tests its
 * coordinator: no threads and no waiting. A manual clock moves time and fires
 * what is due; persistence is a promise the test resolves or rejects; every
 * call the coordinator makes to the outside world is recorded.
 */
import { expect } from "chai";
import {
  CheckpointCoordinator,
  type AcknowledgedCheckpoint,
  type CheckpointCoordinatorConfig,
} from "../../../runners/stream/coordinator/checkpoint_coordinator";
import type { CoordinatorClock } from "../../../runners/stream/coordinator/coordinator_clock";
import { emptyMetrics, type MetricResults } from "../../../model/pipeline_result";

/** A clock that moves only when told, firing what falls due in time order. */
class ManualClock implements CoordinatorClock {
  private time = 1_000;
  private seq = 0;
  private readonly due = new Map<number, { at: number; seq: number; fn: () => void }>();
  now(): number {
    return this.time;
  }
  schedule(delayMs: number, fn: () => void): () => void {
    const id = this.seq++;
    this.due.set(id, { at: this.time + delayMs, seq: id, fn });
    return () => this.due.delete(id);
  }
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const next = [...this.due.entries()].filter(([, d]) => d.at <= until).sort(([, a], [, b]) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.due.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
    }
    this.time = until;
  }
  get scheduled(): number {
    return this.due.size;
  }
}

/** A persistence call the test completes by hand. */
interface Write {
  readonly checkpoint: AcknowledgedCheckpoint;
  resolve(v: string): void;
  reject(e: Error): void;
}

/** Lets the coordinator's promise callbacks run. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

function harness(config: Partial<CheckpointCoordinatorConfig> = {}) {
  const clock = new ManualClock();
  const triggered: number[] = [];
  const writes: Write[] = [];
  const completed: { id: number; persisted: string; durationMs: number; metrics: MetricResults; state: Uint8Array[][] }[] = [];
  const aborted: { id: number; reason: string }[] = [];
  const persistFailures: { id: number; message: string }[] = [];
  let finalCompletions = 0;
  const full: CheckpointCoordinatorConfig = {
    vertices: 2,
    parallelism: 2,
    intervalMs: 100,
    minPauseMs: 0,
    timeoutMs: 1_000,
    firstId: 1,
    ...config,
  };
  const coordinator = new CheckpointCoordinator<string>(full, {
    clock,
    triggerTasks: (id) => triggered.push(id),
    persist: (checkpoint) => new Promise<string>((resolve, reject) => writes.push({ checkpoint, resolve, reject })),
    notifyComplete: (c, persisted) => completed.push({ id: c.id, persisted, durationMs: c.durationMs, metrics: c.metrics, state: c.state }),
    onFinalComplete: () => finalCompletions++,
    onAborted: (id, reason) => aborted.push({ id, reason }),
    onPersistFailed: (id, e) => persistFailures.push({ id, message: e.message }),
  });
  /** Every subtask of every vertex acknowledges `id`. */
  const ackAll = (id: number): void => {
    for (let v = 0; v < full.vertices; v++)
      for (let s = 0; s < full.parallelism; s++) coordinator.acknowledge(id, v, s, bytes(`${id}:${v}:${s}`), counter("n", 1));
  };
  return {
    clock,
    coordinator,
    triggered,
    writes,
    completed,
    aborted,
    persistFailures,
    ackAll,
    get finalCompletions() {
      return finalCompletions;
    },
  };
}

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));
const counter = (name: string, n: number): MetricResults => ({ ...emptyMetrics(), counters: { [name]: n } });

describe("CheckpointCoordinator", () => {
  it("triggers every interval once started, not before", () => {
    const h = harness({ intervalMs: 100 });
    h.clock.advance(500);
    expect(h.triggered, "not started").to.deep.equal([]);
    h.coordinator.startPeriodic();
    h.clock.advance(99);
    expect(h.triggered).to.deep.equal([]);
    h.clock.advance(1);
    expect(h.triggered).to.deep.equal([1]);
    expect(h.coordinator.pendingId).to.equal(1);
  });

  it("with interval 0 takes no periodic checkpoint", () => {
    const h = harness({ intervalMs: 0 });
    h.coordinator.startPeriodic();
    h.clock.advance(10_000);
    expect(h.triggered).to.deep.equal([]);
  });

  it("completes a checkpoint only when every subtask of every vertex acknowledged, after it is persisted; then notifies with the state and summed metrics", async () => {
    const h = harness({ vertices: 2, parallelism: 2, firstId: 7 });
    const id = h.coordinator.triggerPeriodic()!;
    expect(id).to.equal(7);
    expect(h.coordinator.acknowledge(7, 0, 0, bytes("a"), counter("n", 1))).to.equal("pending");
    expect(h.coordinator.acknowledge(7, 0, 1, bytes("b"), counter("n", 2))).to.equal("pending");
    expect(h.coordinator.acknowledge(7, 1, 0, bytes("c"), counter("n", 3))).to.equal("pending");
    expect(h.writes, "not all acknowledged yet").to.have.length(0);
    h.clock.advance(40);
    expect(h.coordinator.acknowledge(7, 1, 1, bytes("d"), counter("n", 4))).to.equal("acknowledged by all");
    expect(h.writes).to.have.length(1);
    expect(h.completed, "not persisted yet").to.deep.equal([]);
    h.clock.advance(10);
    h.writes[0]!.resolve("chk-7");
    await settle();
    expect(h.completed).to.have.length(1);
    const c = h.completed[0]!;
    expect(c.id).to.equal(7);
    expect(c.persisted).to.equal("chk-7");
    expect(c.durationMs, "trigger to persisted, on the injected clock").to.equal(50);
    expect(c.metrics.counters).to.deep.equal({ n: 10 });
    expect(c.state.map((row) => row.map((s) => Buffer.from(s).toString()))).to.deep.equal([
      ["a", "b"],
      ["c", "d"],
    ]);
    expect(h.coordinator.pendingId).to.equal(undefined);
    expect(h.coordinator.latestCompletedId).to.equal(7);
  });

  it("ignores a duplicate acknowledgement, one of an unknown subtask, and one of another checkpoint", () => {
    const h = harness({ vertices: 1, parallelism: 2 });
    h.coordinator.triggerPeriodic();
    expect(h.coordinator.acknowledge(1, 0, 0, bytes("a"), emptyMetrics())).to.equal("pending");
    expect(h.coordinator.acknowledge(1, 0, 0, bytes("a again"), emptyMetrics()), "duplicate").to.equal("ignored");
    expect(h.coordinator.acknowledge(1, 3, 0, bytes("x"), emptyMetrics()), "no vertex 3").to.equal("ignored");
    expect(h.coordinator.acknowledge(1, 0, 2, bytes("x"), emptyMetrics()), "no subtask 2").to.equal("ignored");
    expect(h.coordinator.acknowledge(2, 0, 1, bytes("x"), emptyMetrics()), "not triggered").to.equal("ignored");
    expect(h.writes).to.have.length(0);
    expect(h.coordinator.acknowledge(1, 0, 1, bytes("b"), emptyMetrics())).to.equal("acknowledged by all");
  });

  it("keeps one checkpoint pending at a time: interval ticks while one is pending trigger nothing", async () => {
    const h = harness({ intervalMs: 100 });
    h.coordinator.startPeriodic();
    h.clock.advance(350);
    expect(h.triggered).to.deep.equal([1]);
    h.ackAll(1);
    h.writes[0]!.resolve("chk-1");
    await settle();
    h.clock.advance(100);
    expect(h.triggered).to.deep.equal([1, 2]);
  });

  it("waits the minimum pause after a completion before the next periodic trigger", async () => {
    const h = harness({ intervalMs: 100, minPauseMs: 250 });
    h.coordinator.startPeriodic();
    h.clock.advance(100);
    h.ackAll(1);
    h.writes[0]!.resolve("chk-1");
    await settle();
    // Completed at 100 ms after start; ticks at 200 and 300 are inside the pause.
    h.clock.advance(200);
    expect(h.triggered).to.deep.equal([1]);
    h.clock.advance(100);
    expect(h.triggered, "the tick 300 ms after the completion").to.deep.equal([1, 2]);
  });

  it("the final checkpoint ignores the minimum pause, and its completion lets the job stop", async () => {
    const h = harness({ intervalMs: 100, minPauseMs: 10_000 });
    h.coordinator.triggerPeriodic();
    h.ackAll(1);
    h.writes[0]!.resolve("chk-1");
    await settle();
    h.coordinator.requestFinal();
    expect(h.triggered).to.deep.equal([1, 2]);
    expect(h.finalCompletions).to.equal(0);
    h.ackAll(2);
    expect(h.writes[1]!.checkpoint.final).to.equal(true);
    h.writes[1]!.resolve("chk-2");
    await settle();
    expect(h.finalCompletions).to.equal(1);
    expect(h.coordinator.finalCheckpointDone).to.equal(true);
    h.coordinator.requestFinal();
    expect(h.triggered, "requested again: nothing more").to.deep.equal([1, 2]);
  });

  it("a final checkpoint requested while another is pending is triggered when that one completes", async () => {
    const h = harness();
    h.coordinator.triggerPeriodic();
    h.coordinator.requestFinal();
    expect(h.triggered).to.deep.equal([1]);
    h.ackAll(1);
    h.writes[0]!.resolve("chk-1");
    await settle();
    expect(h.triggered).to.deep.equal([1, 2]);
    expect(h.finalCompletions, "checkpoint 1 was not the final one").to.equal(0);
    h.ackAll(2);
    h.writes[1]!.resolve("chk-2");
    await settle();
    expect(h.finalCompletions).to.equal(1);
  });

  it("a declined checkpoint is aborted; its late acknowledgements are ignored; the next one is triggered at the next tick", () => {
    const h = harness({ vertices: 1, parallelism: 2, intervalMs: 100 });
    h.coordinator.startPeriodic();
    h.clock.advance(100);
    h.coordinator.acknowledge(1, 0, 0, bytes("a"), emptyMetrics());
    expect(h.coordinator.decline(1, "subtask 1 is not running")).to.equal(true);
    expect(h.aborted).to.deep.equal([{ id: 1, reason: "declined: subtask 1 is not running" }]);
    expect(h.coordinator.pendingId).to.equal(undefined);
    expect(h.coordinator.acknowledge(1, 0, 1, bytes("b"), emptyMetrics())).to.equal("ignored");
    expect(h.coordinator.decline(1, "again"), "already aborted").to.equal(false);
    expect(h.writes).to.have.length(0);
    h.clock.advance(100);
    expect(h.triggered).to.deep.equal([1, 2]);
  });

  it("a checkpoint not complete within the timeout is aborted, and the clock's timer is cancelled when one completes", async () => {
    const h = harness({ vertices: 1, parallelism: 1, intervalMs: 0, timeoutMs: 500 });
    h.coordinator.triggerPeriodic();
    h.clock.advance(499);
    expect(h.aborted).to.deep.equal([]);
    h.clock.advance(1);
    expect(h.aborted).to.deep.equal([{ id: 1, reason: "not complete within 500 ms" }]);
    expect(h.coordinator.acknowledge(1, 0, 0, bytes("late"), emptyMetrics())).to.equal("ignored");

    h.coordinator.triggerPeriodic();
    h.ackAll(2);
    h.writes[0]!.resolve("chk-2");
    await settle();
    h.clock.advance(10_000);
    expect(
      h.aborted.map((a) => a.id),
      "checkpoint 2 completed: no timeout",
    ).to.deep.equal([1]);
    expect(h.clock.scheduled, "no timer left behind").to.equal(0);
  });

  it("a checkpoint being written does not time out meanwhile", async () => {
    const h = harness({ vertices: 1, parallelism: 1, intervalMs: 0, timeoutMs: 500 });
    h.coordinator.triggerPeriodic();
    h.ackAll(1);
    h.clock.advance(5_000);
    expect(h.aborted).to.deep.equal([]);
    h.writes[0]!.resolve("chk-1");
    await settle();
    expect(h.completed.map((c) => c.id)).to.deep.equal([1]);
  });

  it("subsumption: a newer completed checkpoint stands for an aborted older one, whose acknowledgements never count toward it", async () => {
    const h = harness({ vertices: 1, parallelism: 2, intervalMs: 100, timeoutMs: 150 });
    h.coordinator.startPeriodic();
    h.clock.advance(100);
    h.coordinator.acknowledge(1, 0, 0, bytes("1a"), counter("n", 1));
    h.clock.advance(150);
    expect(h.aborted.map((a) => a.id)).to.deep.equal([1]);
    h.clock.advance(50);
    expect(h.triggered).to.deep.equal([1, 2]);
    expect(h.coordinator.acknowledge(1, 0, 1, bytes("1b"), counter("n", 100)), "late ack of 1").to.equal("ignored");
    h.coordinator.acknowledge(2, 0, 0, bytes("2a"), counter("n", 2));
    expect(h.coordinator.acknowledge(2, 0, 1, bytes("2b"), counter("n", 3))).to.equal("acknowledged by all");
    h.writes[0]!.resolve("chk-2");
    await settle();
    // Sinks commit everything up to the completed id, so files pre-committed for 1 are published by 2.
    expect(h.completed.map((c) => [c.id, c.state.map((r) => r.map((s) => Buffer.from(s).toString())), c.metrics.counters])).to.deep.equal([
      [2, [["2a", "2b"]], { n: 5 }],
    ]);
    expect(h.coordinator.latestCompletedId).to.equal(2);
  });

  it("a commit requested with none pending is triggered at once, ignoring the minimum pause; requested again while owed, nothing more", async () => {
    const h = harness({ intervalMs: 0, minPauseMs: 10_000 });
    h.coordinator.requestFinal();
    h.ackAll(1);
    h.writes[0]!.resolve("chk-1");
    await settle();
    const c = harness({ intervalMs: 100, minPauseMs: 10_000 });
    c.coordinator.triggerPeriodic();
    c.ackAll(1);
    c.writes[0]!.resolve("chk-1");
    await settle();
    c.coordinator.requestCommit();
    c.coordinator.requestCommit();
    expect(c.triggered).to.deep.equal([1, 2]);
    expect(c.writes.length).to.equal(1);
    c.ackAll(2);
    expect(c.writes[1]!.checkpoint.final, "a commit checkpoint is not the final one").to.equal(false);
    c.writes[1]!.resolve("chk-2");
    await settle();
    expect(c.completed.map((x) => x.id)).to.deep.equal([1, 2]);
    expect(c.finalCompletions).to.equal(0);
    expect(c.triggered, "owed no more once it completed").to.deep.equal([1, 2]);
    c.coordinator.requestCommit();
    expect(c.triggered, "a new request: a new checkpoint").to.deep.equal([1, 2, 3]);
    h.coordinator.requestCommit();
    expect(h.triggered, "after the final checkpoint: nothing").to.deep.equal([1]);
  });

  it("a commit requested while a checkpoint is pending is triggered once that one completes (its barrier may have passed the sink before the files)", async () => {
    const h = harness();
    h.coordinator.triggerPeriodic();
    h.coordinator.requestCommit();
    expect(h.triggered).to.deep.equal([1]);
    h.ackAll(1);
    h.writes[0]!.resolve("chk-1");
    await settle();
    expect(h.triggered).to.deep.equal([1, 2]);
    h.ackAll(2);
    h.writes[1]!.resolve("chk-2");
    await settle();
    expect(h.triggered, "checkpoint 2 was the commit").to.deep.equal([1, 2]);
  });

  it("an aborted commit checkpoint is triggered again", () => {
    const h = harness({ vertices: 1, parallelism: 1, intervalMs: 0, timeoutMs: 100 });
    h.coordinator.requestCommit();
    expect(h.triggered).to.deep.equal([1]);
    h.clock.advance(100);
    expect(h.triggered).to.deep.equal([1, 2]);
    h.coordinator.decline(2, "busy");
    expect(h.triggered).to.deep.equal([1, 2, 3]);
  });

  it("an aborted final checkpoint is triggered again", () => {
    const h = harness({ vertices: 1, parallelism: 1, intervalMs: 0, timeoutMs: 100 });
    h.coordinator.requestFinal();
    expect(h.triggered).to.deep.equal([1]);
    h.clock.advance(100);
    expect(h.triggered).to.deep.equal([1, 2]);
    h.coordinator.decline(2, "busy");
    expect(h.triggered).to.deep.equal([1, 2, 3]);
  });

  it("a checkpoint that cannot be persisted is reported, and is not notified as complete", async () => {
    const h = harness({ vertices: 1, parallelism: 1 });
    h.coordinator.triggerPeriodic();
    h.ackAll(1);
    h.writes[0]!.reject(new Error("ENOSPC: no space left on device"));
    await settle();
    expect(h.persistFailures).to.deep.equal([{ id: 1, message: "ENOSPC: no space left on device" }]);
    expect(h.completed).to.deep.equal([]);
  });

  it("stops triggering when the job stops, but lets the pending checkpoint complete; after shutdown nothing is notified", async () => {
    const h = harness({ vertices: 1, parallelism: 1, intervalMs: 100 });
    h.coordinator.startPeriodic();
    h.clock.advance(100);
    h.coordinator.stopTriggering();
    h.clock.advance(500);
    expect(h.triggered).to.deep.equal([1]);
    h.coordinator.requestFinal();
    expect(h.triggered, "no final checkpoint once stopping").to.deep.equal([1]);
    h.ackAll(1);
    h.writes[0]!.resolve("chk-1");
    await settle();
    expect(h.completed.map((c) => c.id)).to.deep.equal([1]);

    const g = harness({ vertices: 1, parallelism: 1 });
    g.coordinator.triggerPeriodic();
    g.ackAll(1);
    g.coordinator.shutdown();
    g.writes[0]!.resolve("chk-1");
    g.coordinator.triggerPeriodic();
    await settle();
    expect(g.completed, "the attempt ended before the write").to.deep.equal([]);
    expect(g.triggered).to.deep.equal([1]);
    expect(g.clock.scheduled).to.equal(0);
  });

  it("checkpoint ids go on from the configured first id", () => {
    const h = harness({ vertices: 1, parallelism: 1, intervalMs: 0, firstId: 42 });
    h.coordinator.triggerPeriodic();
    h.coordinator.decline(42, "x");
    h.coordinator.triggerPeriodic();
    expect(h.triggered).to.deep.equal([42, 43]);
  });
});
