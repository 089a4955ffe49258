import type { BoundedWindow } from "../../model/windows";
import type { PaneInfo } from "../../model/pane";

/**
 * Where an operator sends an element. The element's metadata travels as
 * arguments rather than in a wrapper object: no allocation per element on
 * the fused path.
 */
export interface ElementReceiver {
  receive(value: unknown, timestamp: number, windows: readonly BoundedWindow[], pane: PaneInfo): void;
}

/** Sends every element to several receivers, in order. */
export class FanOutReceiver implements ElementReceiver {
  constructor(private readonly targets: readonly ElementReceiver[]) {}
  receive(value: unknown, timestamp: number, windows: readonly BoundedWindow[], pane: PaneInfo): void {
    const targets = this.targets;
    for (let i = 0; i < targets.length; i++) targets[i]!.receive(value, timestamp, windows, pane);
  }
}

/** Drops everything: the receiver of an output nobody reads. */
export const DISCARD: ElementReceiver = { receive: () => undefined };

/** One receiver for a list: itself when there is one, a fan-out otherwise. */
export function combineReceivers(targets: readonly ElementReceiver[]): ElementReceiver {
  if (targets.length === 0) return DISCARD;
  if (targets.length === 1) return targets[0]!;
  return new FanOutReceiver(targets);
}
