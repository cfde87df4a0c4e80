// Where detection runs as data arrives: ingest calls `trigger()`, and the runner calls the
// detection function at most once per `minIntervalMs`, never two at a time, and once more after a
// run if data arrived during it (so the last upload is always looked at). Errors are reported,
// never thrown into the ingest path.
export class DebouncedRunner {
  private running: Promise<void> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pending = false;
  private lastStart = -Infinity;
  private stopped = false;
  runs = 0;

  constructor(
    private readonly fn: () => Promise<void>,
    private readonly minIntervalMs: number,
    private readonly onError: (e: unknown) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  trigger(): void {
    if (this.stopped) return;
    if (this.running || this.timer) {
      this.pending = true;
      return;
    }
    const wait = this.lastStart + this.minIntervalMs - this.now();
    if (wait > 0) {
      this.timer = setTimeout(() => { this.timer = null; this.start(); }, wait);
      return;
    }
    this.start();
  }

  private start(): void {
    if (this.stopped) return;
    this.pending = false;
    this.lastStart = this.now();
    this.runs++;
    this.running = (async () => {
      try {
        await this.fn();
      } catch (e) {
        this.onError(e);
      }
    })().finally(() => {
      this.running = null;
      if (this.pending) this.trigger();
    });
  }

  /** Resolves when no run is active or scheduled (tests; shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      if (this.running) await this.running;
      else if (this.timer) await new Promise((r) => setTimeout(r, 5));
      else return;
    }
  }

  /** No new runs; waits for the current one. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running) await this.running;
  }
}
