import type { BoundedWindow } from "../../model/windows";
import type { PaneInfo } from "../../model/pane";
import type { WindowFnSpec } from "../../sdk/windowing/windowing_strategy";
import { windowAssigner } from "../windowing/window_fns";
import type { ElementReceiver } from "./element_receiver";
import type { Operator } from "./operators";

/** WindowInto: gives each element the windows its new window fn assigns to its timestamp. */
export class WindowIntoOperator implements Operator {
  private readonly assign: (timestamp: number) => readonly BoundedWindow[];

  constructor(
    readonly transform: string,
    windowFn: WindowFnSpec,
    private readonly out: ElementReceiver,
  ) {
    this.assign = windowAssigner(windowFn);
  }
  setup(): void {}
  startBundle(): void {}
  finishBundle(): void {}
  teardown(): void {}
  receive(value: unknown, timestamp: number, _windows: readonly BoundedWindow[], pane: PaneInfo): void {
    this.out.receive(value, timestamp, this.assign(timestamp), pane);
  }
}
