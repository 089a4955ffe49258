/**
 * The task manager's side of TestStream pacing: its TestStream readers play
 * an event only with a permit, and the job master grants one each time the
 * whole pipeline has quiesced (see coordinator/QuiescenceDriver). One
 * permit plays one event of the first TestStream with events left, as the
 * direct runner plays them.
 */

/** Permits to play TestStream events, shared by a task manager's TestStream readers. */
export class TestStreamPacer {
  private permit = false;
  private readonly scripts: { readonly done: boolean }[] = [];

  /** A reader whose script this pacer paces (`scriptLeft` asks it). */
  register(script: { readonly done: boolean }): void {
    this.scripts.push(script);
  }

  /** The pipeline quiesced: one more event may be played. */
  grant(): void {
    this.permit = true;
  }

  /** True when an event may be played now. */
  get mayPlay(): boolean {
    return this.permit;
  }

  /** Uses the permit; false when there is none. */
  take(): boolean {
    if (!this.permit) return false;
    this.permit = false;
    return true;
  }

  /** True while a paced script has events left. */
  get scriptLeft(): boolean {
    return this.scripts.some((s) => !s.done);
  }
}
