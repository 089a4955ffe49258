/**
 * Beam's `beam:coder:custom_window:v1` (the SDKs call it the
 * timestamp-prefixing window coder): the window's max timestamp, then the
 * window in its component coder. The prefix lets a runner that cannot decode
 * the window still know when it expires.
 */
import type { ByteReader } from "../byte_reader";
import type { ByteWriter } from "../byte_writer";
import { type Coder, type CoderContext, CoderError } from "../coder";
import { coderUrns } from "../urns";
import { type BoundedWindow, isGlobalWindow } from "../../../model/windows";
import { GLOBAL_WINDOW_MAX_TIMESTAMP, timestampToInt64 } from "../../../model/time";
import { readTimestampInt64, writeTimestampInt64 } from "./timestamp";
import { isIntervalWindow } from "./interval_window";

/** Codes windows of any kind behind their max-timestamp prefix. */
export class CustomWindowCoder<W extends BoundedWindow = BoundedWindow> implements Coder<W> {
  /** {@inheritDoc Coder.urn} */
  readonly urn = coderUrns.CUSTOM_WINDOW;
  /** {@inheritDoc Coder.components} */
  readonly components: readonly Coder[];
  /** {@inheritDoc Coder.deterministic} */
  readonly deterministic: boolean;

  /**
   * Wraps a window coder.
   *
   * @param windowCoder codes the window after the prefix.
   */
  constructor(readonly windowCoder: Coder<W>) {
    this.components = [windowCoder as Coder];
    this.deterministic = windowCoder.deterministic;
  }

  /** {@inheritDoc Coder.encode} */
  encode(value: W, writer: ByteWriter, context: CoderContext): void {
    let maxTimestamp: bigint;
    if (isIntervalWindow(value)) {
      // end - 1 computed in int64: near Beam's bounds a double would round it.
      maxTimestamp = timestampToInt64(value.end) - 1n;
    } else if (typeof value === "object" && value !== null && isGlobalWindow(value)) {
      maxTimestamp = timestampToInt64(GLOBAL_WINDOW_MAX_TIMESTAMP);
    } else {
      throw new CoderError(this.urn, "expected a window", value);
    }
    writeTimestampInt64(writer, maxTimestamp);
    this.windowCoder.encode(value, writer, context);
  }

  /** {@inheritDoc Coder.decode} */
  decode(reader: ByteReader, context: CoderContext): W {
    readTimestampInt64(reader);
    return this.windowCoder.decode(reader, context);
  }
}
