/** Beam's `beam:coder:global_window:v1`: the global window, which takes no bytes. */
import type { ByteReader } from "../byte_reader";
import type { ByteWriter } from "../byte_writer";
import { type Coder, CoderError } from "../coder";
import { coderUrns } from "../urns";
import { GLOBAL_WINDOW, type GlobalWindow } from "../../../model/windows";

/** Codes {@link GLOBAL_WINDOW} as zero bytes. */
export class GlobalWindowCoder implements Coder<GlobalWindow> {
  /** {@inheritDoc Coder.urn} */
  readonly urn = coderUrns.GLOBAL_WINDOW;
  /** {@inheritDoc Coder.components} */
  readonly components: readonly Coder[] = [];
  /** {@inheritDoc Coder.deterministic} */
  readonly deterministic = true;

  /** {@inheritDoc Coder.encode} */
  encode(value: GlobalWindow, _writer: ByteWriter): void {
    // Checked anyway: silently dropping an interval window here would lose data.
    if (typeof value !== "object" || value === null || (value as GlobalWindow).kind !== "global") {
      throw new CoderError(this.urn, "expected the global window", value);
    }
  }

  /** {@inheritDoc Coder.decode} */
  decode(_reader: ByteReader): GlobalWindow {
    return GLOBAL_WINDOW;
  }
}
