import type { ElementReceiver } from "../../portability/harness/element_receiver";
import type { WindowedValue } from "../../model/windowed_value";
import type { BoundedWindow } from "../../model/windows";
import type { PaneInfo } from "../../model/pane";

/** A bundle: elements processed together, committed together. */
export type Bundle = WindowedValue[];

/** Collects elements into bundles of a given size. */
export class BundleCollector implements ElementReceiver {
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
  /** Takes the sealed bundles. */
  drain(): Bundle[] {
    this.seal();
    return this.bundles.splice(0);
  }
}
