/**
 * Executes a plan in one process, the reference way: each stage or shuffle
 * runs when its inputs are complete, in a seeded random order among those
 * ready; bundles of a stage run in a seeded random order; every edge can be
 * checked for immutability and encodability.
 */
import type { PipelineModel } from "../../portability/pipeline_model";
import type { UserCodeSource } from "../../portability/user_code/user_code_source";
import { buildStage, combineFnOf, type NamedReceiver } from "../../portability/harness/stage_executor";
import { combineReceivers, type ElementReceiver } from "../../portability/harness/element_receiver";
import { MetricsContainer } from "../../portability/harness/metrics_container";
import { asCreateSource, emitCreateRange } from "../../portability/harness/create_source";
import { accumulatorsOf, shuffleInputs, type ExecutionPlan, type FusedStage, type ShuffleNode } from "../core/execution_plan";
import { GroupingBuffer } from "../core/grouping_buffer";
import { CombiningTable } from "../core/combining_table";
import { sideInputReaderFor } from "../core/side_input_store";
import { collectionCoder } from "../core/collection_coders";
import type { JobHandle } from "../core/job_handle";
import type { WindowedValue } from "../../sdk/values/windowed_value";
import type { BoundedWindow } from "../../sdk/values/windows";
import { IN_GLOBAL_WINDOW } from "../../sdk/values/windows";
import type { PaneInfo } from "../../sdk/values/pane";
import { NO_FIRING } from "../../sdk/values/pane";
import { MIN_TIMESTAMP } from "../../sdk/values/time";
import { CheckedEdge, OutputWatchList } from "./element_checks";
import { SeededRandom } from "./seeded_random";
import type { DirectSettings } from "./direct_flags";

type Bundle = WindowedValue[];

/** Collects elements into bundles of a given size. */
class BundleCollector implements ElementReceiver {
  readonly bundles: Bundle[] = [];
  private current: Bundle = [];
  constructor(private readonly bundleSize: number) {}
  receive(value: unknown, timestamp: number, windows: readonly BoundedWindow[], pane: PaneInfo): void {
    this.current.push({ value, timestamp, windows, pane });
    if (this.current.length >= this.bundleSize) this.seal();
  }
  /** Closes the current bundle. */
  seal(): void {
    if (this.current.length > 0) {
      this.bundles.push(this.current);
      this.current = [];
    }
  }
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Runs one job's plan. */
export class DirectExecutor {
  private readonly store = new Map<string, Bundle[]>();
  private readonly random: SeededRandom;
  private readonly watch = new OutputWatchList();

  constructor(
    private readonly model: PipelineModel,
    private readonly plan: ExecutionPlan,
    private readonly userCode: UserCodeSource,
    private readonly settings: DirectSettings,
    private readonly job: JobHandle,
  ) {
    this.random = new SeededRandom(settings.seed);
  }

  /** Runs every stage and shuffle; resolves when done or cancelled. */
  async run(): Promise<void> {
    type Task = { kind: "stage"; stage: FusedStage } | { kind: "shuffle"; node: ShuffleNode };
    const pending: Task[] = [
      ...this.plan.stages.map((stage) => ({ kind: "stage" as const, stage })),
      ...this.plan.shuffles.map((node) => ({ kind: "shuffle" as const, node })),
    ];
    const complete = new Set<string>();
    const inputsOf = (t: Task): readonly string[] =>
      t.kind === "stage" ? [...(t.stage.root.kind === "pcollection" ? [t.stage.root.pcollection] : []), ...t.stage.sideInputs] : shuffleInputs(t.node);
    const outputsOf = (t: Task): readonly string[] => (t.kind === "stage" ? t.stage.produces : [t.node.output]);

    while (pending.length > 0) {
      if (this.job.isCancelRequested) return;
      const ready = pending.filter((t) => inputsOf(t).every((pc) => complete.has(pc)));
      if (ready.length === 0) throw new Error(`internal: no stage can run; waiting: ${pending.map((t) => (t.kind === "stage" ? t.stage.id : t.node.transformId)).join(", ")}`);
      const task = ready[this.random.nextInt(ready.length)]!;
      pending.splice(pending.indexOf(task), 1);
      if (task.kind === "stage") await this.runStage(task.stage);
      else this.runShuffle(task.node);
      for (const pc of outputsOf(task)) complete.add(pc);
      await yieldToEventLoop();
    }
  }

  private elementsOf(pc: string): Iterable<WindowedValue> {
    const bundles = this.store.get(pc) ?? [];
    return (function* () {
      for (const b of bundles) yield* b;
    })();
  }

  private edge(pc: string, producer: string, consumers: readonly NamedReceiver[]): ElementReceiver {
    const { enforceImmutability, enforceEncodability } = this.settings;
    if (!enforceImmutability && !enforceEncodability) return combineReceivers(consumers.map((c) => c.receiver));
    return new CheckedEdge(pc, producer, consumers, collectionCoder(this.model, this.plan, pc, this.userCode), { immutability: enforceImmutability, encodability: enforceEncodability }, this.watch);
  }

  private async runStage(stage: FusedStage): Promise<void> {
    const metrics = new MetricsContainer();
    const sinks = new Map<string, BundleCollector>();
    const exec = buildStage(this.model, stage, {
      userCode: this.userCode,
      metrics,
      sink: (pc) => {
        let c = sinks.get(pc);
        if (!c) sinks.set(pc, (c = new BundleCollector(this.settings.bundleSize)));
        return c;
      },
      sideInputReader: (id) => sideInputReaderFor(this.model, id, this.userCode, (pc) => this.elementsOf(pc)),
      edge: (pc, producer, consumers) => this.edge(pc, producer, consumers),
    });
    const commit = (): void => {
      for (const c of sinks.values()) c.seal();
      this.watch.verifyAndClear();
      metrics.commitInto(this.job.totals);
    };
    exec.setup();
    try {
      for (const feed of this.random.shuffle(this.inputBundles(stage))) {
        if (this.job.isCancelRequested) return;
        exec.startBundle();
        feed(exec.input);
        exec.finishBundle();
        commit();
        await yieldToEventLoop();
      }
      exec.flush();
      commit();
    } finally {
      exec.teardown();
    }
    for (const [pc, c] of sinks) this.store.set(pc, [...(this.store.get(pc) ?? []), ...c.bundles]);
  }

  /** The stage's input, as functions that each feed one bundle. */
  private inputBundles(stage: FusedStage): ((input: ElementReceiver) => void)[] {
    const root = stage.root;
    const size = this.settings.bundleSize;
    switch (root.kind) {
      case "impulse":
        return [(input) => input.receive(new Uint8Array(0), MIN_TIMESTAMP, IN_GLOBAL_WINDOW, NO_FIRING)];
      case "create": {
        const source = asCreateSource(this.userCode.lookup(this.model.doFnPayload(root.transformId).ref), root.transformId);
        const feeds: ((input: ElementReceiver) => void)[] = [];
        for (let from = 0; from < source.values.length; from += size) {
          const to = Math.min(from + size, source.values.length);
          feeds.push((input) => emitCreateRange(source, from, to, input));
        }
        return feeds;
      }
      case "pcollection":
        return (this.store.get(root.pcollection) ?? []).map((bundle) => (input: ElementReceiver) => {
          for (let i = 0; i < bundle.length; i++) {
            const wv = bundle[i]!;
            input.receive(wv.value, wv.timestamp, wv.windows, wv.pane);
          }
        });
    }
  }

  private runShuffle(node: ShuffleNode): void {
    const out = new BundleCollector(this.settings.bundleSize);
    const order = <T>(items: T[]): T[] => this.random.shuffle(items);
    const checkedOut = (): ElementReceiver => this.edge(node.output, node.transformId, [{ transform: `(materialized ${node.output})`, receiver: out, trusted: true }]);
    switch (node.kind) {
      case "flatten":
        for (const input of node.inputs) out.bundles.push(...(this.store.get(input) ?? []));
        break;
      case "reshuffle": {
        const all = [...this.elementsOf(node.input)];
        for (const wv of order(all)) out.receive(wv.value, wv.timestamp, wv.windows, wv.pane);
        break;
      }
      case "groupByKey": {
        const keyCoder = this.model.coderOf(node.input, this.userCode).components[0]!;
        const buffer = new GroupingBuffer(node.transformId, keyCoder, this.model.windowingOf(node.input).outputTime);
        for (const wv of this.elementsOf(node.input)) buffer.receive(wv.value, wv.timestamp, wv.windows, wv.pane);
        buffer.emit(out, order);
        break;
      }
      case "combine": {
        const t = this.model.transform(node.transformId);
        const realInput = Object.values(t.inputs)[0]!;
        const keyCoder = this.model.coderOf(realInput, this.userCode).components[0]!;
        const table = new CombiningTable(
          node.transformId,
          combineFnOf(this.model, node.transformId, this.userCode),
          keyCoder,
          this.model.windowingOf(realInput).outputTime,
          node.lifted,
        );
        const input = node.lifted ? accumulatorsOf(node.transformId) : node.input;
        for (const wv of this.elementsOf(input)) table.receive(wv.value, wv.timestamp, wv.windows, wv.pane);
        // extractOutput is user code: its results get the same checks as any output.
        table.emit(checkedOut(), order);
        this.watch.verifyAndClear();
        break;
      }
    }
    out.seal();
    this.store.set(node.output, out.bundles);
  }
}
