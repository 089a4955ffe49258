import type { ProcessContext, BundleContext } from "../../sdk/transforms/transform_context";
import type { MetricsContext } from "../../sdk/metrics/metrics_context";
import { GLOBAL_WINDOW, IN_GLOBAL_WINDOW, type BoundedWindow } from "../../model/windows";
import { NO_FIRING, type PaneInfo } from "../../model/pane";
import { MIN_TIMESTAMP } from "../../model/time";
import type { ElementReceiver } from "./element_receiver";
import type { SideInputReader } from "./side_input_reader";
import type { Timer } from "../../sdk/state/timer_specs";

const NO_STATE = new Proxy(
  {},
  {
    get(_t, name) {
      throw new Error(`ctx.state.${String(name)}: this DoFn declares no state (declare it in the DoFn's "state" field)`);
    },
  },
);
const NO_TIMERS = new Proxy(
  {},
  {
    get(_t, name) {
      throw new Error(`ctx.timers.${String(name)}: this DoFn declares no timers (declare it in the DoFn's "timers" field)`);
    },
  },
);

/** Where a DoFn's outputs go, by tag. */
export interface DoFnOutputs {
  readonly main: ElementReceiver;
  readonly tagged: ReadonlyMap<string, ElementReceiver>;
}

/**
 * The `ctx` of a DoFn, reused for every element: the invoker sets the
 * element's metadata before each call. Allocation-free per element.
 */
export class DoFnContext implements ProcessContext<unknown>, BundleContext<unknown> {
  timestamp = MIN_TIMESTAMP;
  window: BoundedWindow = GLOBAL_WINDOW;
  windows: readonly BoundedWindow[] = IN_GLOBAL_WINDOW;
  pane: PaneInfo = NO_FIRING;
  key: unknown = undefined;
  /** The current key's state cells; the user's DoFn sees them typed by its declarations. */
  state: Readonly<Record<string, unknown>> = NO_STATE;
  /** The current key's timers, by name. */
  timers: Readonly<Record<string, Timer>> = NO_TIMERS;

  constructor(
    private readonly transform: string,
    private readonly outputs: DoFnOutputs,
    private readonly sideInputs: SideInputReader,
    readonly metrics: MetricsContext,
    /** How far (ms) outputs may move timestamps backwards. */
    private readonly allowedTimestampSkewMs: number,
  ) {}

  /** Sets the metadata of the element about to be processed. */
  setElement(timestamp: number, windows: readonly BoundedWindow[], pane: PaneInfo): void {
    this.timestamp = timestamp;
    this.windows = windows;
    this.window = windows[0]!;
    this.pane = pane;
  }

  /** Resets the metadata for start/finishBundle, where outputs go to the global window. */
  setBundleScope(): void {
    this.setElement(MIN_TIMESTAMP, IN_GLOBAL_WINDOW, NO_FIRING);
  }

  output(value: unknown): void {
    this.outputs.main.receive(value, this.timestamp, this.windows, this.pane);
  }

  outputTo(tag: string, value: unknown): void {
    const target = tag === "main" ? this.outputs.main : this.outputs.tagged.get(tag);
    if (!target) {
      const declared = ["main", ...this.outputs.tagged.keys()].join(", ");
      throw new Error(`output tag '${tag}' was not declared by '${this.transform}'; declared: ${declared}`);
    }
    target.receive(value, this.timestamp, this.windows, this.pane);
  }

  outputWithTimestamp(value: unknown, timestamp: number): void {
    if (typeof timestamp !== "number" || Number.isNaN(timestamp)) {
      throw new TypeError(`outputWithTimestamp needs a number of ms, got ${String(timestamp)}`);
    }
    if (timestamp < this.timestamp - this.allowedTimestampSkewMs) {
      // Beam's rule: moving a timestamp backwards could make on-time data late.
      throw new Error(
        `cannot output with timestamp ${timestamp}: it is earlier than the input's timestamp ${this.timestamp}` +
          (this.allowedTimestampSkewMs > 0 ? ` minus the allowed skew of ${this.allowedTimestampSkewMs} ms` : "") +
          ` (Beam does not allow moving timestamps backwards beyond the allowed skew)`,
      );
    }
    this.outputs.main.receive(value, timestamp, this.windows, this.pane);
  }

  sideInput<T = unknown>(name: string): T {
    return this.sideInputs.get(name, this.window) as T;
  }
}
