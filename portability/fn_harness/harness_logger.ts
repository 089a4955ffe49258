/**
 * The harness's log, sent to the engine over BeamFnLogging (Beam's engines
 * show it beside the job), batched per turn of the event loop. Without a
 * logging stream the entries are dropped: the engine is told about failures
 * in the instruction responses anyway.
 */
import type { BidiStream } from "./fn_streams";
import type { LogEntry, LogEntryList } from "./fn_messages";

/** Where a log entry belongs. */
export interface LogContext {
  readonly instructionId?: string;
  readonly transformId?: string;
}

/** Sends log entries to the engine. */
export class HarnessLogger {
  private batch: LogEntry[] = [];
  private scheduled = false;
  private closed = false;

  constructor(private readonly stream: BidiStream<unknown, LogEntryList> | undefined) {
    if (stream) void drain(stream);
  }

  /** Logs `message` at `severity` (a `LogEntry.Severity.Enum` value). */
  log(severity: number, message: string, context: LogContext = {}): void {
    if (!this.stream || this.closed) return;
    const now = Date.now();
    this.batch.push({
      severity,
      timestamp: { seconds: Math.floor(now / 1000), nanos: (now % 1000) * 1_000_000 },
      message,
      ...(context.instructionId ? { instructionId: context.instructionId } : {}),
      ...(context.transformId ? { transformId: context.transformId } : {}),
      logLocation: "millrace",
    });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Sends what is batched. */
  flush(): void {
    this.scheduled = false;
    if (!this.stream || this.batch.length === 0) return;
    this.stream.write({ logEntries: this.batch });
    this.batch = [];
  }

  /** Sends the rest and ends the stream. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.stream?.end();
  }
}

/** Reads (and ignores) the engine's LogControl messages, so the stream never backs up. */
async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  try {
    for await (const _ of stream) {
      // LogControl carries nothing yet.
    }
  } catch {
    // A closed logging stream only loses log lines.
  }
}
