/**
 * Beam's `beam:coder:timer:v1`: user key (nested), dynamic timer tag (nested
 * string), windows as an iterable, a clear byte, and when the timer is set
 * (not cleared): fire timestamp, hold timestamp and pane. Components are
 * [key coder, window coder].
 */
import type { ByteReader } from "../byte_reader";
import type { ByteWriter } from "../byte_writer";
import { type Coder, CoderError } from "../coder";
import { coderUrns } from "../urns";
import type { BoundedWindow } from "../../../model/windows";
import type { PaneInfo } from "../../../model/pane";
import { readTimestamp, writeTimestamp } from "./timestamp";
import { isPaneInfo, readPane, writePane } from "./pane_info";
import { decodeIterableElements, encodeIterableElements } from "./iterable";

/** A timer set or cleared for a key, as runners exchange it with SDKs. */
export interface TimerValue<K = unknown> {
  /** The key whose state the timer belongs to. */
  userKey: K;
  /** Tag distinguishing timers of one timer family; `""` for plain timers. */
  dynamicTimerTag: string;
  /** Windows the timer is set in. */
  windows: readonly BoundedWindow[];
  /** True for a cleared timer, which carries no timestamps or pane. */
  clearBit: boolean;
  /** When the timer fires, in ms; present when `clearBit` is false. */
  fireTimestamp?: number;
  /** The output watermark hold, in ms; present when `clearBit` is false. */
  holdTimestamp?: number;
  /** Pane of the timer's output; present when `clearBit` is false. */
  pane?: PaneInfo;
}

/** Codes {@link TimerValue}s. */
export class TimerCoder<K> implements Coder<TimerValue<K>> {
  /** {@inheritDoc Coder.urn} */
  readonly urn = coderUrns.TIMER;
  /** {@inheritDoc Coder.components} */
  readonly components: readonly Coder[];
  /** {@inheritDoc Coder.deterministic} */
  readonly deterministic: boolean;

  /**
   * A coder for timers of one key type.
   *
   * @param keyCoder codes user keys.
   * @param windowCoder codes windows.
   */
  constructor(
    readonly keyCoder: Coder<K>,
    readonly windowCoder: Coder<BoundedWindow>,
  ) {
    this.components = [keyCoder as Coder, windowCoder as Coder];
    this.deterministic = keyCoder.deterministic && windowCoder.deterministic;
  }

  /** {@inheritDoc Coder.encode} */
  encode(value: TimerValue<K>, writer: ByteWriter): void {
    if (typeof value !== "object" || value === null) throw new CoderError(this.urn, "expected a timer", value);
    if (typeof value.dynamicTimerTag !== "string") {
      throw new CoderError(this.urn, "dynamicTimerTag must be a string", value.dynamicTimerTag);
    }
    if (typeof value.clearBit !== "boolean") throw new CoderError(this.urn, "clearBit must be a boolean", value.clearBit);
    this.keyCoder.encode(value.userKey, writer, "nested");
    writer.writeUtf8Nested(value.dynamicTimerTag);
    encodeIterableElements(this.urn, this.windowCoder, value.windows, writer);
    writer.writeByte(value.clearBit ? 1 : 0);
    if (value.clearBit) return;
    if (typeof value.fireTimestamp !== "number" || typeof value.holdTimestamp !== "number") {
      throw new CoderError(this.urn, "a set timer needs numeric fireTimestamp and holdTimestamp", value);
    }
    if (!isPaneInfo(value.pane)) throw new CoderError(this.urn, "a set timer needs a pane", value.pane);
    writeTimestamp(writer, value.fireTimestamp);
    writeTimestamp(writer, value.holdTimestamp);
    writePane(writer, value.pane);
  }

  /** {@inheritDoc Coder.decode} */
  decode(reader: ByteReader): TimerValue<K> {
    const userKey = this.keyCoder.decode(reader, "nested");
    const dynamicTimerTag = reader.readUtf8Nested();
    const windows = decodeIterableElements(this.urn, this.windowCoder, reader);
    const offset = reader.position;
    const clear = reader.readByte();
    if (clear === 1) return { userKey, dynamicTimerTag, windows, clearBit: true };
    if (clear !== 0) throw new CoderError(this.urn, `bad clear byte 0x${clear.toString(16)} at offset ${offset}`);
    const fireTimestamp = readTimestamp(reader);
    const holdTimestamp = readTimestamp(reader);
    const pane = readPane(reader);
    return { userKey, dynamicTimerTag, windows, clearBit: false, fireTimestamp, holdTimestamp, pane };
  }
}
