/**
 * Routes a subtask's output records on one edge to the consumer subtasks'
 * channels: the same subtask (forward), the owner of the key's key group
 * (hash), the next subtask in turn (rebalance), or all of them (broadcast).
 */
import { ByteWriter, CoderError, type Coder } from "../../../portability/coders";
import { RunnerCheckError } from "../../../portability/harness/user_code_error";
import { unencodableElementError, type EncodingSite } from "../../../portability/harness/unencodable_element";
import { previewValue } from "../../../portability/values/preview";
import type { ElementReceiver } from "../../../portability/harness/element_receiver";
import type { BoundedWindow } from "../../../model/windows";
import type { PaneInfo } from "../../../model/pane";
import type { KV } from "../../../model/kv";
import type { Partitioning } from "../job_graph";
import { subtaskOfKey } from "../key_groups";
import type { OutputChannel } from "./output_channel";

/** An edge's output from one subtask. */
export class RecordWriter implements ElementReceiver {
  private next = 0;
  private readonly keyScratch = new ByteWriter(64);
  /** Records written (each counted once, however many channels it went to). */
  records = 0;

  constructor(
    /** Indexed by consumer subtask; forward edges have only their own subtask's channel set. */
    readonly channels: readonly (OutputChannel | undefined)[],
    private readonly partitioning: Partitioning,
    private readonly self: number,
    /** The key coder, for hash routing. */
    private readonly keyCoder: Coder<unknown> | undefined,
    private readonly maxParallelism: number,
    /** The transform named when a key cannot be encoded. */
    private readonly producer: string,
    /** Where the records come from, named when an element cannot be encoded. */
    private readonly site: EncodingSite = { producer, pcollection: "(unknown)" },
  ) {}

  receive(value: unknown, timestamp: number, windows: readonly BoundedWindow[], pane: PaneInfo): void {
    this.records++;
    try {
      this.route(value, timestamp, windows, pane);
    } catch (e) {
      if (e instanceof CoderError) throw unencodableElementError(this.site, e, value);
      throw e;
    }
  }

  private route(value: unknown, timestamp: number, windows: readonly BoundedWindow[], pane: PaneInfo): void {
    switch (this.partitioning) {
      case "forward":
        this.channels[this.self]!.add(value, timestamp, windows, pane);
        return;
      case "hash": {
        const scratch = this.keyScratch;
        scratch.reset();
        try {
          this.keyCoder!.encode((value as KV<unknown, unknown>).key, scratch, "nested");
        } catch (e) {
          throw new RunnerCheckError(
            this.producer,
            `a key output by '${this.producer}' cannot be encoded by its coder: ${(e as Error).message}; element: ${previewValue(value)}`,
            { cause: e },
          );
        }
        const target = subtaskOfKey(scratch.view(), this.maxParallelism, this.channels.length);
        this.channels[target]!.add(value, timestamp, windows, pane);
        return;
      }
      case "rebalance":
        this.channels[this.next]!.add(value, timestamp, windows, pane);
        this.next = (this.next + 1) % this.channels.length;
        return;
      case "broadcast":
        for (const c of this.channels) c!.add(value, timestamp, windows, pane);
        return;
    }
  }
}
