/**
 * Beam's TestStream contract on a distributed runner: the next scripted
 * event is applied only once the pipeline has quiesced, i.e. every element
 * and watermark of the events before it has been processed by every
 * subtask (Beam Java DirectRunner's QuiescenceDriver). On the stream
 * runner that work is spread over task manager threads that exchange
 * buffers, so "nothing left to do" is a distributed termination question.
 *
 * It is answered with probe rounds and message counting (Mattern's
 * four-counter method): each task manager answers a probe only when it has
 * nothing to do, with how many data messages (buffers and events) it has
 * sent to and received from its peers so far. Two consecutive rounds in
 * which every task manager reports the same counts, and in which all
 * messages sent have been received, prove that nothing was in flight and
 * nobody worked between them: the pipeline is quiescent, and the task
 * manager holding the TestStreams may play one more event. A single round
 * cannot prove it: a task manager may answer before a message to it
 * arrives, and its sender may answer after sending it.
 */
import type { QuietReport } from "../protocol";

/** What the driver asks of the job master. */
export interface QuiescenceEnv {
  /** Asks every task manager to answer round `round` once it has nothing to do. */
  probe(round: number): void;
  /** The pipeline is quiescent: the task manager holding the TestStreams plays its next event. */
  playNext(): void;
}

/** Drives a job's TestStreams: one event per quiescent pipeline. */
export class QuiescenceDriver {
  private round = 0;
  private replies: (QuietReport | undefined)[];
  /** The previous complete round, when nothing was played since. */
  private previous: readonly QuietReport[] | undefined;
  private stopped = false;

  constructor(
    private readonly taskManagers: number,
    private readonly env: QuiescenceEnv,
  ) {
    this.replies = new Array<QuietReport | undefined>(taskManagers).fill(undefined);
  }

  /** Starts the first round (the first event, too, waits for the pipeline to settle). */
  start(): void {
    this.nextRound();
  }

  /** No more rounds (the attempt is stopping). */
  stop(): void {
    this.stopped = true;
  }

  /** True once every script is played or the driver was stopped. */
  get done(): boolean {
    return this.stopped;
  }

  /** Task manager `taskManager` answered a probe. */
  onReport(taskManager: number, report: QuietReport): void {
    if (this.stopped || report.round !== this.round) return;
    this.replies[taskManager] = report;
    if (this.replies.some((r) => r === undefined)) return;
    const current = this.replies as readonly QuietReport[];
    if (!current.some((r) => r.scriptLeft)) {
      // Every event is played: the scripts' final watermarks end the job as any source's would.
      this.stopped = true;
      return;
    }
    if (this.previous && quiescentBetween(this.previous, current)) {
      // Rounds after this event must prove quiescence afresh.
      this.previous = undefined;
      this.env.playNext();
    } else {
      this.previous = current;
    }
    this.nextRound();
  }

  private nextRound(): void {
    if (this.stopped) return;
    this.round++;
    this.replies = new Array<QuietReport | undefined>(this.taskManagers).fill(undefined);
    this.env.probe(this.round);
  }
}

/** True when no task manager sent or received anything between two idle rounds, and nothing sent is unreceived. */
export function quiescentBetween(previous: readonly QuietReport[], current: readonly QuietReport[]): boolean {
  let sent = 0;
  let received = 0;
  for (let i = 0; i < current.length; i++) {
    const a = previous[i]!;
    const b = current[i]!;
    if (a.sent !== b.sent || a.received !== b.received) return false;
    sent += b.sent;
    received += b.received;
  }
  return sent === received;
}
