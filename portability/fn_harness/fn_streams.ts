/**
 * The shapes of the Fn API's streams as the harness uses them, whatever
 * carries them (gRPC to an engine, or a test's in-process driver): a
 * bidirectional stream is something to write messages to and to read
 * messages from, in order.
 */

/** One side of a bidirectional stream: write `Out`s, read `In`s. */
export interface BidiStream<In, Out> extends AsyncIterable<In> {
  write(message: Out): void;
  /** Half-closes: no more writes. */
  end(): void;
}

/**
 * A FIFO that one side pushes to and the other iterates: what turns
 * callbacks into an async iterable. Ending it lets the iterator finish once
 * the queue is drained; failing it makes the iterator throw.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private head = 0;
  private waiter: (() => void) | undefined;
  private ended = false;
  private failure: unknown;

  push(item: T): void {
    if (this.ended) return;
    this.items.push(item);
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  fail(e: unknown): void {
    this.failure = e ?? new Error("stream failed");
    this.ended = true;
    this.wake();
  }

  get size(): number {
    return this.items.length - this.head;
  }

  /** Takes the next item, waiting for one; undefined once ended and drained. */
  async next(): Promise<T | undefined> {
    for (;;) {
      if (this.head < this.items.length) {
        const item = this.items[this.head]!;
        this.items[this.head++] = undefined as T;
        if (this.head > 1024 && this.head * 2 > this.items.length) {
          this.items.splice(0, this.head);
          this.head = 0;
        }
        return item;
      }
      if (this.failure !== undefined) throw this.failure;
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (let item = await this.next(); item !== undefined; item = await this.next()) yield item;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}
