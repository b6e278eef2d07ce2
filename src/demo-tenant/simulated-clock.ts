/**
 * Time for a benchmark against the demo tenant's published limits: the real time the work takes,
 * plus every wait the client was told to make, skipped rather than slept. A run that Microsoft's
 * limits hold to 20 minutes then takes only its compute time on the machine, and still reports the
 * 20 minutes a school would wait (network latency aside).
 *
 * Concurrent sleepers share the skip: a wait to a moment already reached costs nothing more.
 */
export class SimulatedClock {
  private skippedMs = 0;
  private sleepers: Array<{ until: number; wake: () => void }> = [];
  private ticking = false;

  /** Total time skipped so far. */
  get skipped(): number {
    return this.skippedMs;
  }

  readonly now = (): number => performance.now() + this.skippedMs;

  /** Time passes with nothing running (the hours between two audits). */
  advance(ms: number): void {
    this.skippedMs += Math.max(0, ms);
  }

  readonly sleep = (ms: number): Promise<void> =>
    new Promise<void>((wake) => {
      this.sleepers.push({ until: this.now() + Math.max(0, ms), wake });
      this.schedule();
    });

  private schedule() {
    if (this.ticking) return;
    this.ticking = true;
    // After the work that is ready has run, as a real timer would fire.
    setImmediate(() => {
      this.ticking = false;
      if (!this.sleepers.length) return;
      const next = Math.min(...this.sleepers.map((s) => s.until));
      const ahead = next - this.now();
      if (ahead > 0) this.skippedMs += ahead;
      const now = this.now();
      const due = this.sleepers.filter((s) => s.until <= now);
      this.sleepers = this.sleepers.filter((s) => s.until > now);
      due.forEach((s) => s.wake());
      if (this.sleepers.length) this.schedule();
    });
  }
}
