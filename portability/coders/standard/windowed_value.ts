/**
 * Beam's `beam:coder:windowed_value:v1`: timestamp, windows as an iterable,
 * pane, then the value. Components are [value coder, window coder].
 */
import type { ByteReader } from "../byte_reader";
import type { ByteWriter } from "../byte_writer";
import { type Coder, type CoderContext, CoderError } from "../coder";
import { coderUrns } from "../urns";
import type { WindowedValue } from "../../../model/windowed_value";
import { type BoundedWindow, IN_GLOBAL_WINDOW, isGlobalWindow } from "../../../model/windows";
import type { PaneInfo } from "../../../model/pane";
import { readTimestamp, writeTimestamp } from "./timestamp";
import { isPaneInfo, readPane, writePane } from "./pane_info";
import { decodeIterableElements, encodeIterableElements } from "./iterable";

/** The metadata part of a windowed value: everything but the value. */
export interface WindowedValueMetadata {
  /** Event time in milliseconds. */
  timestamp: number;
  /** Windows the element belongs to. */
  windows: readonly BoundedWindow[];
  /** Which firing produced it. */
  pane: PaneInfo;
}

/** Writes timestamp, windows and pane, after checking their shape. */
export function encodeWindowedMetadata(
  urn: string,
  windowCoder: Coder<BoundedWindow>,
  value: WindowedValueMetadata,
  writer: ByteWriter,
): void {
  if (typeof value !== "object" || value === null) throw new CoderError(urn, "expected a windowed value", value);
  if (typeof value.timestamp !== "number") throw new CoderError(urn, "timestamp must be a number", value.timestamp);
  if (!Array.isArray(value.windows)) throw new CoderError(urn, "windows must be an array", value.windows);
  if (!isPaneInfo(value.pane)) throw new CoderError(urn, "pane must be a PaneInfo", value.pane);
  writeTimestamp(writer, value.timestamp);
  encodeIterableElements(urn, windowCoder, value.windows, writer);
  writePane(writer, value.pane);
}

/** Reads timestamp, windows and pane. */
export function decodeWindowedMetadata(urn: string, windowCoder: Coder<BoundedWindow>, reader: ByteReader): WindowedValueMetadata {
  const timestamp = readTimestamp(reader);
  let windows: readonly BoundedWindow[] = decodeIterableElements(urn, windowCoder, reader);
  // Share the frozen [GLOBAL_WINDOW]: most elements carry exactly that.
  if (windows.length === 1 && isGlobalWindow(windows[0])) windows = IN_GLOBAL_WINDOW;
  const pane = readPane(reader);
  return { timestamp, windows, pane };
}

/** Codes {@link WindowedValue}s with a value coder and a window coder. */
export class WindowedValueCoder<T> implements Coder<WindowedValue<T>> {
  /** {@inheritDoc Coder.urn} */
  readonly urn = coderUrns.WINDOWED_VALUE;
  /** {@inheritDoc Coder.components} */
  readonly components: readonly Coder[];
  /** {@inheritDoc Coder.deterministic} */
  readonly deterministic: boolean;

  /**
   * A coder for values with their timestamp, windows and pane.
   *
   * @param valueCoder codes the value.
   * @param windowCoder codes each window.
   */
  constructor(
    readonly valueCoder: Coder<T>,
    readonly windowCoder: Coder<BoundedWindow>,
  ) {
    this.components = [valueCoder as Coder, windowCoder as Coder];
    this.deterministic = valueCoder.deterministic && windowCoder.deterministic;
  }

  /** {@inheritDoc Coder.encode} */
  encode(value: WindowedValue<T>, writer: ByteWriter, context: CoderContext): void {
    encodeWindowedMetadata(this.urn, this.windowCoder, value, writer);
    this.valueCoder.encode(value.value, writer, context);
  }

  /** {@inheritDoc Coder.decode} */
  decode(reader: ByteReader, context: CoderContext): WindowedValue<T> {
    const { timestamp, windows, pane } = decodeWindowedMetadata(this.urn, this.windowCoder, reader);
    const value = this.valueCoder.decode(reader, context);
    return { value, timestamp, windows, pane };
  }
}
